/**
 * Shared by the benchmarks: sizes for a full or quick run, the optimum the API allows for a
 * stand-in space, the variables that point the loader at a stand-in, and small statistics.
 */
import { resolve } from 'node:path';
import type { StandIn } from 'confluence-stand-in';
import { buildSpaceTree } from '../packages/astro-loader-confluence/src/discover/space-tree.ts';
import { optimalCallCount, planFacts } from '../packages/astro-loader-confluence/src/export/plan.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const WORK = resolve(ROOT, 'bench/.work');
/** Generated spaces label these pages to be left out; the loader is told to exclude them. */
export const EXCLUDED_LABEL = 'internal';

export interface Sizes {
  quick: boolean;
  /** The 1k shapes (250 in a quick run) and the 10k one (2,500). */
  small: number;
  large: number;
  /** Pages of the space built with `astro build`, and builds per project. */
  buildPages: number;
  buildRuns: number;
  /** A balanced space whose plan is 20–40 export calls, for the latency benchmark. */
  latencyPages: number;
  /** Balanced spaces built one after the other for `series.*`, smallest first. */
  series: number[];
}

export function sizesFor(quick: boolean): Sizes {
  return quick
    ? { quick, small: 250, large: 2_500, buildPages: 250, buildRuns: 1, latencyPages: 300, series: [250, 500, 1_000] }
    : { quick, small: 1_000, large: 10_000, buildPages: 1_000, buildRuns: 3, latencyPages: 300, series: [1_000, 2_000, 4_000, 8_000] };
}

/** `balanced-1k` in a full run (performance.md's names), `balanced-250` in a quick one. */
export function shapeName(shape: string, size: number, quick: boolean): string {
  return quick || size % 1000 !== 0 ? `${shape}-${size}` : `${shape}-${size / 1000}k`;
}

/** Pages a reader may see, by the stand-in's own model: not restricted, no excluded label on it or above. */
export function publicIds(standIn: StandIn): Set<string> {
  const hidden = (id: string) =>
    standIn.space.isEffectivelyRestricted(id) ||
    [standIn.space.get(id)!, ...standIn.space.ancestors(id)].some((page) => page.labels.includes(EXCLUDED_LABEL));
  return new Set(standIn.space.all().filter((page) => !hidden(page.id)).map((page) => page.id));
}

/**
 * The fewest export calls that fetch `only` (default: every public page) from the stand-in's space
 * without ever exporting a page a reader may not see and without putting confusable siblings in
 * one bulk batch (plan.ts's count, over the stand-in's own model of the space).
 */
export function optimumFor(standIn: StandIn, visible: Set<string>, only: Set<string> = visible): number {
  const pages = standIn.space.all().map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, position: p.position, version: { number: p.version.number } }));
  const tree = buildSpaceTree(pages);
  return optimalCallCount(tree, planFacts(tree, { publishable: visible }), only);
}

export { standInEnv } from '../test/helpers/stand-in-env.ts';

/** The caller's environment without any CONFLUENCE_* variable, so that only what a benchmark sets applies. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONFLUENCE_')));
  return { ...base, ASTRO_TELEMETRY_DISABLED: '1', ...extra };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Progress on stderr, so that the table on stdout stays readable. */
export function note(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
