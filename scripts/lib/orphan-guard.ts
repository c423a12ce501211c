// Preloaded into every process the stack launcher starts (`node --import`): when the launcher dies
// without stopping us — even by SIGKILL, which runs no handler of its — shut down as on SIGTERM.
const launcher = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === launcher) return;
  clearInterval(timer); // one SIGTERM: a second would cut the graceful shutdown short
  process.kill(process.pid, "SIGTERM");
}, 1_000);
timer.unref();
