/**
 * `npm run bench [-- --quick]`: every benchmark of performance.md against the stand-in on loopback.
 * Prints each figure beside its goal and writes bench/results.json. A benchmark is not a test: a
 * figure off its goal is reported with ✗, and the run fails only when a benchmark cannot run.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureBuild, rewriteFromStats, type RewriteFigures } from './build.ts';
import { measureCalls, measureLatency, type IncrementalFigures } from './calls.ts';
import { note, ROOT, round, sizesFor } from './common.ts';
import { measureMemory } from './memory.ts';
import { measureRewrite, samplePage } from './rewrite.bench.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const sizes = sizesFor(values.quick);
const started = performance.now();

const rows: { key: string; value: number | string; goal: string; ok: boolean | undefined }[] = [];
const row = (key: string, value: number | string, goal: string, ok: boolean | undefined) => rows.push({ key, value, goal, ok });

/** Runs one benchmark; one that cannot run is reported and fails the run, and the others still run. */
const failures: string[] = [];
async function section<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    failures.push(name);
    rows.push({ key: name, value: 'n/a', goal: `could not run: ${String((error as Error).message ?? error).split('\n')[0]}`, ok: false });
    note(`${name} could not run:\n${(error as Error).stack ?? error}`);
    return undefined;
  }
}

let incremental: IncrementalFigures | undefined;
const calls = await section('calls', () => measureCalls(sizes, (figures) => (incremental = figures)));
for (const [shape, c] of Object.entries(calls ?? {})) {
  row(`calls.${shape}.export`, c.export, `= optimal (${c.optimal})`, c.export === c.optimal);
  const restGoal = `≤ ${c.restGoal} + ${c.restrictions} restriction look-ups (≤ ${c.published} published + ${c.restrictedRoots} found restricted)`;
  row(`calls.${shape}.rest`, c.rest, restGoal, c.rest - c.restrictions <= c.restGoal && c.restrictions <= c.published + c.restrictedRoots);
}
const inc = incremental;
if (inc) {
  row('incremental.noop_export_calls', inc.noop_export_calls, '0', inc.noop_export_calls === 0);
  row('incremental.one_page_export_calls', inc.one_page_export_calls, '1', inc.one_page_export_calls === 1);
  row('incremental.noop_sync_ratio', inc.noop_sync_ratio, `≤ 0.10 (${inc.noop_pipeline_ms} ms / ${inc.cold_sync_ms} ms, ${inc.space})`, inc.noop_sync_ratio <= 0.1);
}

const sync = await section('sync', () => measureLatency(sizes));
if (sync) row('sync.latency_ratio', sync.latency_ratio, `≤ 1.10 (${sync.sync_ms} ms / ${sync.ideal_ms} ms, ${sync.calls} calls, C=${sync.concurrency})`, sync.latency_ratio <= 1.1);

const memory = await section('memory', () => measureMemory(sizes.large));
if (memory) row('memory.export_10k_peak_mb', memory.export_10k_peak_mb, `≤ 512 (${memory.pages} pages of ${memory.space})`, memory.export_10k_peak_mb <= 512);

const measured = await section('build', () => measureBuild(sizes.buildPages, sizes.buildRuns));
const build = measured?.build;
if (build) row('build.overhead_ratio', build.overhead_ratio, `≤ 1.10 (${build.pages} pages, medians of ${build.runs})`, build.overhead_ratio <= 1.1);

const rewrite = await section('rewrite', async (): Promise<RewriteFigures> => {
  const fromBuild = rewriteFromStats(measured?.stats ?? []);
  if (fromBuild) return fromBuild;
  note('rewrite: no loader stats from the build; measuring bench/rewrite.bench.ts sample pages instead');
  const sample = await measureRewrite([samplePage(3), samplePage(38)]);
  return { per_page_vs_render: round(sample.ratio), source: 'bench/rewrite.bench.ts', rewrite_ms_per_page: round(sample.rewriteMs), render_ms_per_page: round(sample.renderMs) };
});
if (rewrite) {
  const sanitize = rewrite.sanitize_ms_per_page === undefined ? '' : ` incl. ${rewrite.sanitize_ms_per_page} ms sanitising`;
  row('rewrite.per_page_vs_render', rewrite.per_page_vs_render, `≤ 0.25 (${rewrite.rewrite_ms_per_page} ms${sanitize} / ${rewrite.render_ms_per_page} ms, ${rewrite.source})`, rewrite.per_page_vs_render <= 0.25);
}

const results = {
  quick: sizes.quick,
  cpus: availableParallelism(),
  node: process.version,
  seconds: Math.round((performance.now() - started) / 1000),
  calls,
  sync,
  build: build && { ...build, loader_stats: measured.stats },
  incremental: inc,
  ...(failures.length > 0 ? { failed: failures } : {}),
  memory,
  rewrite,
};
writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);

const width = Math.max(...rows.map((r) => r.key.length));
const valueWidth = Math.max(...rows.map((r) => String(r.value).length));
console.log(`\n${sizes.quick ? 'Quick run' : 'Full run'}: ${results.cpus} CPUs, Node ${results.node}, ${results.seconds} s\n`);
for (const r of rows) {
  console.log(`${r.ok === undefined ? ' ' : r.ok ? '✓' : '✗'} ${r.key.padEnd(width)}  ${String(r.value).padStart(valueWidth)}  ${r.goal}`);
}
console.log(`\nWrote bench/results.json`);
if (failures.length > 0) {
  console.error(`Could not run: ${failures.join(', ')} (details above).`);
  process.exitCode = 1;
}
