/**
 * Progress of a long sync, as one line a few seconds apart: batches done of total, pages, elapsed
 * time and an estimate. Pure formatting plus a throttle; the caller picks the output.
 */
export interface ProgressSnapshot {
  batchesDone: number;
  batchesTotal: number;
  pagesDone: number;
  pagesTotal: number;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function formatProgress(p: ProgressSnapshot, elapsedMs: number): string {
  const fraction = p.batchesTotal > 0 ? p.batchesDone / p.batchesTotal : 1;
  const eta = fraction > 0 && fraction < 1 ? ` ~${formatDuration((elapsedMs / fraction) * (1 - fraction))} left` : '';
  return `exported ${p.batchesDone}/${p.batchesTotal} batches, ${p.pagesDone}/${p.pagesTotal} pages, ${formatDuration(elapsedMs)} elapsed${eta}`;
}

/** Calls `emit` at most every `intervalMs`, and always for the last step. */
export function throttledProgress(emit: (line: string) => void, intervalMs = 2000, now = Date.now) {
  const start = now();
  let last = -Infinity;
  return (p: ProgressSnapshot) => {
    const t = now();
    const finished = p.batchesDone >= p.batchesTotal;
    if (!finished && t - last < intervalMs) return;
    last = t;
    emit(formatProgress(p, t - start));
  };
}

/** Discovery progress as a line at most every `intervalMs`: "listing pages: 2,500", "checking pages one by one: 12/40". */
export function throttledDiscovery(emit: (line: string) => void, intervalMs = 2000, now = Date.now) {
  let last = now();
  return (p: { phase: string; done: number; total?: number }) => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    emit(`${p.phase}: ${p.done.toLocaleString('en')}${p.total === undefined ? '' : `/${p.total.toLocaleString('en')}`}`);
  };
}
