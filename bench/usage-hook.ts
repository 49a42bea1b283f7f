import { writeFileSync } from 'node:fs';

/**
 * Preloaded into the connector by the benchmark (`node --import=dist/bench/usage-hook.js ...`):
 * at exit, writes the process's own CPU time and peak RSS to the file named by
 * TAP_BENCH_USAGE_FILE, so the figures are the connector's alone (the sandbox and the benchmark
 * run in other processes) and no code in src/ has to know about the benchmark.
 */
const file = process.env['TAP_BENCH_USAGE_FILE'];
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKb: u.maxRSS }));
  });
}
