/**
 * Loaded with `node --import` into a process whose peak memory a benchmark wants (bench/build.ts):
 * at exit it appends `{pid, maxRssKb, cpuMs}` to the file named by BENCH_RSS_FILE.
 * `resourceUsage().maxRSS` is the kernel's own high-water mark of the whole process (all its
 * threads), so nothing is missed between samples; `cpuMs` is the process's user and system CPU
 * time, which other work on a shared machine does not inflate the way it does wall time.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, maxRssKb: usage.maxRSS, cpuMs })}\n`);
  });
}
