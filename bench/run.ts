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
import { measureAttachments, measureCalls, measureLatency, type IncrementalFigures } from './calls.ts';
import { note, ROOT, round, sizesFor } from './common.ts';
import { measureMemory } from './memory.ts';
import { measureRewrite, samplePage } from './rewrite.bench.ts';
import { measureSeries, sizeKey } from './series.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const sizes = sizesFor(values.quick);
/** `--only series,build`: run just these benchmarks (the names of their sections below). */
const only = values.only === undefined ? undefined : new Set(values.only.split(',').map((name) => name.trim()));
const started = performance.now();

const rows: { key: string; value: number | string; goal: string; ok: boolean | undefined }[] = [];
const row = (key: string, value: number | string, goal: string, ok: boolean | undefined) => rows.push({ key, value, goal, ok });

/** Runs one benchmark; one that cannot run is reported and fails the run, and the others still run. */
const failures: string[] = [];
async function section<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (only && !only.has(name)) return undefined;
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
  row(`calls.${shape}.export`, c.export, `= optimal (${c.optimal}), ${c.private_exported} private pages exported`, c.export === c.optimal && c.private_exported === 0);
  row(`calls.${shape}.rest`, c.rest, `≤ ${c.restGoal} (pages/25 + 10; ${c.rest_noop} on a no-change rebuild, ${c.restrictions} per-page look-ups)`, c.rest <= c.restGoal && c.rest_noop <= c.restGoal);
}
const inc = incremental;
if (inc) {
  row('incremental.noop_export_calls', inc.noop_export_calls, '0', inc.noop_export_calls === 0);
  row('incremental.one_page_export_calls', inc.one_page_export_calls, '1', inc.one_page_export_calls === 1);
  row('incremental.noop_sync_ratio', inc.noop_sync_ratio, `≤ 0.05 (${inc.noop_pipeline_ms} ms / ${inc.cold_sync_ms} ms, ${inc.space})`, inc.noop_sync_ratio <= 0.05);
}

const attachments = await section('attachments', () => measureAttachments(sizes));
if (attachments) {
  row('attachments.extra_export_calls', attachments.extra_export_calls, `reported (${attachments.listings} listings, ${attachments.downloads} downloads; ${attachments.recovered}/${attachments.referenced} pages got their file, ${attachments.space})`, attachments.recovered === attachments.referenced);
  row('attachments.noop_calls', attachments.noop_export_calls + attachments.noop_downloads, '0 exports and 0 downloads on a rebuild', attachments.noop_export_calls === 0 && attachments.noop_downloads === 0);
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

const series = await section('series', () => measureSeries(sizes.series, { baseline: !sizes.quick }));
if (series) {
  const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en')} KB`;
  for (const [size, p] of Object.entries(series.points)) {
    row(`series.${size}.wall_ms`, p.wall_ms, `${p.pages} pages, CPU ${p.cpu_ms} ms, peak ${p.peak_rss_mb} MB, dist ${kb(p.dist_bytes)}, HTML median ${kb(p.html_median_bytes)} (max ${kb(p.html_max_bytes)}), sidebar ${kb(p.sidebar_bytes)}`, undefined);
  }
  for (const [size, p] of Object.entries(series.starlight ?? {})) {
    row(`series.starlight.${size}`, 'wall_ms' in p ? p.wall_ms : 'n/a', 'wall_ms' in p ? `Starlight docsLoader(): CPU ${p.cpu_ms} ms, peak ${p.peak_rss_mb} MB, dist ${kb(p.dist_bytes)}, HTML median ${kb(p.html_median_bytes)}` : p.skipped, undefined);
  }
  const largest = sizeKey(sizes.series.at(-1)!);
  const { exponent } = series;
  const steps = (pick: (s: (typeof exponent.steps)[number]) => number) => exponent.steps.map((s) => `${s.from}→${s.to} ${pick(s)}`).join(', ');
  row('series.exponent.wall', series.exponent.wall, `≤ 1.10 (steps: ${steps((s) => s.wall)})`, series.exponent.wall <= 1.1);
  row('series.exponent.cpu', series.exponent.cpu, `reported: the same over CPU time, which others' load on the machine does not inflate (steps: ${steps((s) => s.cpu)})`, undefined);
  row('series.exponent.dist', series.exponent.dist, '≤ 1.10', series.exponent.dist <= 1.1);
  row('series.html_growth', series.html_growth, `≤ 1.3 (median HTML per page, ${largest} over ${sizeKey(sizes.series[0]!)})`, series.html_growth <= 1.3);
  if (!sizes.quick) {
    const bound = series.vs_starlight_4k_upper_bound ? `, an upper bound: Starlight did not finish within ${series.baseline_bound_s} s` : '';
    row('series.vs_starlight_4k', series.vs_starlight_4k ?? 'n/a', `≤ 0.5 (our 4k build wall over Starlight docsLoader()'s${bound})`, series.vs_starlight_4k !== undefined && series.vs_starlight_4k <= 0.5);
  }
  const peak = series.points[largest]!.peak_rss_mb;
  row(`series.${largest}.peak_rss_mb`, peak, '≤ 3072', peak <= 3072);
  const r = series.rebuild;
  row('series.rebuild.export_calls', r.export_calls, `0 (no-change rebuild of ${r.space})`, r.export_calls === 0);
  row('series.rebuild.sync_ratio', r.sync_ratio, `≤ 0.05 (${r.noop_sync_ms} ms / ${r.cold_sync_ms} ms)`, r.sync_ratio <= 0.05);
  row('series.rebuild.own_sync_ratio', r.own_sync_ratio, `reported (without the ${r.noop_sync_stalled_ms} ms the event loop was held by Astro's own work)`, undefined);
  row('series.rebuild.pipeline_sync_ratio', r.pipeline_sync_ratio, `reported (the pipeline alone, outside Astro: ${r.pipeline_noop_sync_ms} ms / ${r.pipeline_cold_sync_ms} ms)`, undefined);
  row('series.rebuild.build_ratio', r.build_ratio, `reported (${r.noop_ms} ms / ${r.cold_ms} ms; by CPU time ${r.build_cpu_ratio})`, undefined);
}

const results = {
  quick: sizes.quick,
  ...(only ? { only: [...only] } : {}),
  cpus: availableParallelism(),
  node: process.version,
  seconds: Math.round((performance.now() - started) / 1000),
  calls,
  attachments,
  sync,
  build: build && { ...build, loader_stats: measured.stats },
  incremental: inc,
  ...(failures.length > 0 ? { failed: failures } : {}),
  memory,
  rewrite,
  series: series && {
    ...series.points,
    exponent: series.exponent,
    html_growth: series.html_growth,
    ...(series.vs_starlight_4k !== undefined ? { vs_starlight_4k: series.vs_starlight_4k } : {}),
    ...(series.vs_starlight_4k_upper_bound ? { vs_starlight_4k_upper_bound: true } : {}),
    ...(series.starlight ? { starlight: series.starlight } : {}),
    baseline_bound_s: series.baseline_bound_s,
    rebuild: series.rebuild,
  },
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
