/**
 * Call counts, latency and incremental syncs: the loader's real pipeline (test/helpers/pipeline.ts,
 * resolveOptions + runPipeline) against an in-process stand-in, read through `standIn.counters`.
 */
import { generateSpace, noisePng, start, type SpaceShape, type StandIn } from 'confluence-stand-in';
import { resolveOptions } from '../packages/astro-loader-confluence/src/config/options.ts';
import { createHarness, standInOptions, type Harness } from '../test/helpers/pipeline.ts';
import { EXCLUDED_LABEL, median, note, optimumFor, publicIds, round, shapeName, type Sizes } from './common.ts';

export interface ShapeCalls {
  pages: number;
  published: number;
  export: number;
  optimal: number;
  /** Pages a reader may not see whose Markdown some export answer held (the stand-in's log): must be 0. */
  private_exported: number;
  /** REST calls of the cold build: tree, folders, the restriction and label scan, look-ups of what it missed. */
  rest: number;
  /** REST calls of a rebuild with nothing changed. */
  rest_noop: number;
  /** Of `rest`, per-page restriction look-ups (only for what the scan did not cover). */
  restrictions: number;
  /** The REST goal: pages/25 + 10. */
  restGoal: number;
}

export interface IncrementalFigures {
  space: string;
  noop_export_calls: number;
  one_page_export_calls: number;
  noop_sync_ratio: number;
  cold_sync_ms: number;
  noop_pipeline_ms: number;
}

async function withStandIn<T>(shape: SpaceShape, size: number, fn: (standIn: StandIn, harness: Harness) => Promise<T>, latencyMs = 0): Promise<T> {
  const standIn = await start({ port: 0, space: generateSpace({ shape, size }), latency: { exportMs: latencyMs } });
  const harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: [EXCLUDED_LABEL] }));
  try {
    return await fn(standIn, harness);
  } finally {
    await standIn.stop();
    harness.cleanup();
  }
}

/** A cold sync of each shape: export calls against the optimum, REST calls against pages/25 + 10; then a no-change one. */
export async function measureCalls(sizes: Sizes, onIncremental: (figures: IncrementalFigures) => void): Promise<Record<string, ShapeCalls>> {
  const shapes: [SpaceShape, number][] = [['balanced', sizes.small], ['deep', sizes.small], ['flat', sizes.small], ['balanced', sizes.large]];
  const calls: Record<string, ShapeCalls> = {};
  for (const [shape, size] of shapes) {
    const name = shapeName(shape, size, sizes.quick);
    note(`calls: cold sync of ${name}`);
    await withStandIn(shape, size, async (standIn, harness) => {
      const cold = await harness.run();
      const visible = publicIds(standIn);
      const figures = {
        pages: size,
        published: cold.outcome.decision.published.size,
        export: standIn.counters.export,
        optimal: optimumFor(standIn, visible),
        private_exported: standIn.exportedPageIds().filter((id) => !visible.has(id)).length,
        rest: standIn.counters.rest,
        restrictions: standIn.counters.restrictions,
        restGoal: Math.floor(size / 25) + 10,
      };
      standIn.resetLog();
      await harness.run();
      calls[name] = { ...figures, rest_noop: standIn.counters.rest };
      // The incremental figures come from the first balanced space, right after its cold sync.
      if (shape === 'balanced' && size === sizes.small) onIncremental(await measureIncremental(standIn, harness, name, cold.timings.syncMs + cold.timings.entriesMs));
    });
  }
  return calls;
}

/**
 * `coldSyncMs` is the loader's whole sync of the cold build (discovery, exports, rewrite), the same
 * span the no-change sync is timed over, so that the ratio compares like with like.
 */
async function measureIncremental(standIn: StandIn, harness: Harness, space: string, coldSyncMs: number): Promise<IncrementalFigures> {
  note(`incremental: no-change and one-page syncs of ${space}`);
  standIn.resetLog();
  // Three no-change syncs in a row, the median kept: one sample right after the cold sync mostly
  // measures the JIT warming up to code the cold sync never ran (1k pages: ~290 ms, then ~150 ms).
  const noopTimes: number[] = [];
  let noop!: Awaited<ReturnType<Harness['run']>>;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    noop = await harness.run();
    noopTimes.push(performance.now() - started);
    if (noop.built !== null) note('incremental: the no-change sync rebuilt its entries');
  }
  const noopMs = median(noopTimes);
  const noopCalls = standIn.counters.export;

  const ids = [...noop.outcome.decision.published];
  standIn.space.updatePage(ids[Math.floor(ids.length / 2)]!, { body: 'A paragraph written after the first sync.' });
  standIn.resetLog();
  await harness.run();
  return {
    space,
    noop_export_calls: noopCalls,
    one_page_export_calls: standIn.counters.export,
    // The whole no-change pipeline (discovery, digest) over the whole cold one (discovery, exports, rewrite).
    noop_sync_ratio: round(noopMs / coldSyncMs),
    cold_sync_ms: round(coldSyncMs, 0),
    noop_pipeline_ms: round(noopMs, 0),
  };
}

export interface LatencyFigures {
  latency_ratio: number;
  space: string;
  calls: number;
  concurrency: number;
  sync_ms: number;
  ideal_ms: number;
}

/** The sync with 1 s per export call, at the loader's default concurrency, over ceil(calls / C) × 1 s. */
export async function measureLatency(sizes: Sizes): Promise<LatencyFigures> {
  const space = `balanced-${sizes.latencyPages}`;
  note(`latency: cold sync of ${space} at 1 s per export call`);
  return withStandIn('balanced', sizes.latencyPages, async (standIn, harness) => {
    const { concurrency } = resolveOptions(standInOptions(standIn));
    const result = await harness.run();
    const calls = standIn.counters.export;
    const idealMs = Math.ceil(calls / concurrency) * 1000;
    return {
      latency_ratio: round(result.timings.syncMs / idealMs),
      space,
      calls,
      concurrency,
      sync_ms: round(result.timings.syncMs, 0),
      ideal_ms: idealMs,
    };
  }, 1000);
}

export interface AttachmentFigures {
  space: string;
  /** Export calls of a cold sync over the optimum without attachments in play (the recovery's re-exports). */
  extra_export_calls: number;
  /** Attachment listings and downloads through REST. */
  listings: number;
  downloads: number;
  /** Files the pages reference that ended in the raw cache, of those referenced. */
  recovered: number;
  referenced: number;
  noop_export_calls: number;
  noop_downloads: number;
}

/**
 * A balanced space where every page has a screenshot: three in four of 240 KB (ten siblings'
 * worth is over the 2 MB one export carries), one in four of 440 KB (over the app's 300 KB):
 * the extra calls recovery costs.
 */
export async function measureAttachments(sizes: Sizes): Promise<AttachmentFigures> {
  const size = sizes.quick ? 120 : 400;
  const space = `balanced-${size}-screenshots`;
  note(`attachments: cold sync and rebuild of ${space}`);
  const spec = generateSpace({ shape: 'balanced', size, attachmentRate: 1, attachmentKb: 240 });
  let n = 0;
  for (const page of spec.pages) {
    const a = page.attachments?.[0];
    if (a && n++ % 4 === 3) a.data = noisePng(388, 388, n);
  }
  const standIn = await start({ port: 0, space: spec });
  const harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: [EXCLUDED_LABEL] }));
  try {
    const cold = await harness.run();
    const visible = publicIds(standIn);
    const referenced = spec.pages.filter((p) => visible.has(p.id) && p.attachments?.length).length;
    const recovered = [...cold.outcome.decision.published].filter((id) => (cold.outcome.state.pages[id]?.attachments.length ?? 0) > 0).length;
    const figures = {
      space,
      extra_export_calls: standIn.counters.export - optimumFor(standIn, visible),
      listings: standIn.counters.attachments - standIn.counters.downloads,
      downloads: standIn.counters.downloads,
      recovered,
      referenced,
    };
    standIn.resetLog();
    await harness.run();
    return { ...figures, noop_export_calls: standIn.counters.export, noop_downloads: standIn.counters.downloads };
  } finally {
    await standIn.stop();
    harness.cleanup();
  }
}
