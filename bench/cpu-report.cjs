// Preloaded into a measured child process (`node --require`): reports the
// process's own CPU time at exit, so a busy shared machine does not skew ratios.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(2, `\nwakerscope-bench-cpu-ms ${(user + system) / 1000}\n`);
});
