// Run before `npm test` and `npm run test:faults` (package.json): finds, or installs where it may,
// every program the suite needs beyond Node and npm (scripts/lib/tools.ts), so that a missing one
// stops the command here with one sentence, never deep inside a test file.
//   node scripts/prerequisites.ts test | faults
import { MissingTool, chromium, kustomize, natsServer, nginx } from "./lib/tools.ts";

const NEEDS = {
  // Browser tests; the manifest test; the tests that stop and start their own NATS.
  test: [chromium, kustomize, natsServer],
  // The JetStream cluster and NATS outage cases; the rolling restart behind nginx.
  faults: [natsServer, nginx],
} as const;

const suite = process.argv[2] as keyof typeof NEEDS;
if (!(suite in NEEDS)) {
  console.error(`usage: prerequisites.ts ${Object.keys(NEEDS).join(" | ")}`);
  process.exit(64);
}
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node ${process.versions.node} is too old: install Node 24 (LTS); 22.18+ and 20.19+ also work.`);
  process.exit(1);
}
if (major < 22) console.error(`note: Node ${major} is past its end of life; the project targets Node 24 (LTS).`);
try {
  for (const find of NEEDS[suite]) find();
} catch (err) {
  if (!(err instanceof MissingTool)) throw err;
  console.error(`\n${err.message}\n`);
  process.exit(1);
}
