/**
 * Progress of a long sync, for any phase (discovering pages, checking restrictions, exporting):
 * one event shape, one line format, and an estimate of the time left that is shown only once it
 * means something. Pure formatting plus a throttle; the caller picks the output.
 *
 * The estimate is the phase's own rate since its first event, never the time since the sync began
 * divided by the phase's fraction: a phase that starts after 30 s of discovery would otherwise
 * predict minutes for what takes seconds.
 */

/** One step of a phase. */
export interface ProgressEvent {
  /** What is under way, as the line names it: `exporting`, `discovering pages`, `checking restrictions`. */
  phase: string;
  done: number;
  /** Undefined while not known yet (a listing still being paged through). */
  total?: number;
  /** What `done` counts: `batches`, `pages`. */
  unit: string;
  /** A second count shown after the first, e.g. the pages while batches are counted. */
  also?: { done: number; total?: number; unit: string };
}

/** The export phase as the sync reports it (sync.ts). */
export interface ExportProgress {
  batchesDone: number;
  batchesTotal: number;
  pagesDone: number;
  pagesTotal: number;
}

export function exportEvent(p: ExportProgress): ProgressEvent {
  return { phase: 'exporting', done: p.batchesDone, total: p.batchesTotal, unit: 'batches', also: { done: p.pagesDone, total: p.pagesTotal, unit: 'pages' } };
}

/** An estimate needs this much of the phase behind it: time, steps and fraction. */
export const ESTIMATE_AFTER = { ms: 5_000, steps: 3, fraction: 0.05 } as const;

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function isFinished(event: ProgressEvent): boolean {
  return event.total !== undefined && event.done >= event.total;
}

/** Follows one run's phases: each phase's start, and the estimate once it means something. */
export class ProgressClock {
  private phase: string | undefined;
  private startedAt = 0;
  private startDone = 0;

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The line for an event: counts, the phase's elapsed time, and the time left when meaningful. */
  line(event: ProgressEvent): string {
    const t = this.now();
    if (event.phase !== this.phase) {
      this.phase = event.phase;
      this.startedAt = t;
      this.startDone = event.done;
    }
    const elapsed = t - this.startedAt;
    return formatProgress(event, elapsed, estimateLeft(event, elapsed, event.done - this.startDone));
  }
}

/** Milliseconds left at the phase's rate so far, or undefined while that rate means little. */
export function estimateLeft(event: ProgressEvent, elapsedMs: number, stepsSinceStart: number): number | undefined {
  if (event.total === undefined || isFinished(event) || event.total === 0) return undefined;
  if (elapsedMs < ESTIMATE_AFTER.ms || stepsSinceStart < ESTIMATE_AFTER.steps || event.done / event.total < ESTIMATE_AFTER.fraction) return undefined;
  return ((event.total - event.done) * elapsedMs) / stepsSinceStart;
}

const count = (done: number, total: number | undefined, unit: string) => `${done}${total === undefined ? '' : `/${total}`} ${unit}`;

export function formatProgress(event: ProgressEvent, elapsedMs: number, leftMs?: number): string {
  const counts = [count(event.done, event.total, event.unit), ...(event.also ? [count(event.also.done, event.also.total, event.also.unit)] : [])];
  const left = leftMs === undefined ? '' : ` ~${formatDuration(leftMs)} left`;
  return `${event.phase}: ${counts.join(', ')}, ${formatDuration(elapsedMs)} elapsed${left}`;
}

/**
 * Calls `emit` at most every `intervalMs` for each phase, and always for the first and last step of
 * each. Phases can run side by side (the page listing and the page search do), so each keeps its own
 * interval: taking turns must not make every step of both a "first" one.
 */
export function throttledProgress(emit: (line: string) => void, intervalMs = 2000, now: () => number = Date.now) {
  const clock = new ProgressClock(now);
  const last = new Map<string, number>();
  return (event: ProgressEvent) => {
    const t = now();
    const previous = last.get(event.phase);
    const text = clock.line(event);
    if (previous !== undefined && !isFinished(event) && t - previous < intervalMs) return;
    last.set(event.phase, t);
    emit(text);
  };
}
