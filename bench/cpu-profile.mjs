// Preloaded (NODE_OPTIONS=--import) into the processes the bench profiles (BENCH_PROFILE): a V8 CPU
// profile from start to exit, written to CPU_PROFILE_FILE (`--cpu-prof` is not allowed in NODE_OPTIONS).
// Plain JavaScript: it loads before any TypeScript loader.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const file = process.env.CPU_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  // The in-process inspector answers synchronously, so this runs to its end inside 'exit'.
  process.once("exit", () => {
    session.post("Profiler.stop", (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
