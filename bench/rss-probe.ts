/**
 * Loaded with `node --import` into a process whose peak memory a benchmark wants (bench/build.ts):
 * at exit it appends `{pid, maxRssKb}` to the file named by BENCH_RSS_FILE. `resourceUsage().maxRSS`
 * is the kernel's own high-water mark of the whole process (all its threads), so nothing is missed
 * between samples.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  });
}
