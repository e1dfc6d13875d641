import { describe, expect, it } from 'vitest';
import {
  ESTIMATE_AFTER,
  estimateLeft,
  exportEvent,
  formatDuration,
  formatProgress,
  ProgressClock,
  throttledProgress,
  type ProgressEvent,
} from '../../../packages/astro-loader-confluence/src/sync/progress.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-500, '0s'],
    [1_499, '1s'],
    [59_000, '59s'],
    [59_600, '1m00s'],
    [61_000, '1m01s'],
    [3_725_000, '62m05s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

const exporting = (batchesDone: number, batchesTotal = 100) => exportEvent({ batchesDone, batchesTotal, pagesDone: batchesDone * 10, pagesTotal: batchesTotal * 10 });

describe('formatProgress', () => {
  it('names the phase and shows its counts, elapsed time and what is left', () => {
    expect(formatProgress(exporting(25), 10_000, 30_000)).toBe('exporting: 25/100 batches, 250/1000 pages, 10s elapsed ~30s left');
  });

  it('takes any phase, with or without a total', () => {
    expect(formatProgress({ phase: 'discovering pages', done: 750, unit: 'pages' }, 4_000)).toBe('discovering pages: 750 pages, 4s elapsed');
    expect(formatProgress({ phase: 'checking restrictions', done: 12, total: 970, unit: 'pages' }, 1_000)).toBe('checking restrictions: 12/970 pages, 1s elapsed');
  });
});

describe('estimateLeft', () => {
  const event: ProgressEvent = { phase: 'exporting', done: 20, total: 100, unit: 'batches' };

  it('extrapolates the phase rate since its start', () => {
    expect(estimateLeft(event, 10_000, 20)).toBe(40_000);
    // Steps counted from the phase's first event: 10 in 10 s leaves 80 steps, 80 s.
    expect(estimateLeft(event, 10_000, 10)).toBe(80_000);
  });

  it('says nothing before the phase has enough time, steps and fraction behind it, without a total, or once done', () => {
    expect(estimateLeft(event, ESTIMATE_AFTER.ms - 1, 20)).toBeUndefined();
    expect(estimateLeft(event, 10_000, ESTIMATE_AFTER.steps - 1)).toBeUndefined();
    expect(estimateLeft({ ...event, done: 4 }, 10_000, 4)).toBeUndefined();
    expect(estimateLeft({ ...event, total: undefined }, 10_000, 20)).toBeUndefined();
    expect(estimateLeft({ ...event, done: 100 }, 10_000, 100)).toBeUndefined();
  });
});

describe('ProgressClock', () => {
  it('times each phase from its own first event, so an earlier long phase does not inflate the estimate', () => {
    let now = 0;
    const clock = new ProgressClock(() => now);
    clock.line({ phase: 'discovering pages', done: 0, unit: 'pages' });
    now = 28_000; // 28 s of discovery, as on a 970-page space
    clock.line({ phase: 'discovering pages', done: 970, total: 970, unit: 'pages' });
    expect(clock.line(exporting(0, 10))).toBe('exporting: 0/10 batches, 0/100 pages, 0s elapsed');
    now += 6_000;
    // 5 of 10 batches in 6 s: 6 s left, not the 28 s of discovery spread over the export.
    expect(clock.line(exporting(5, 10))).toBe('exporting: 5/10 batches, 50/100 pages, 6s elapsed ~6s left');
  });
});

describe('throttledProgress', () => {
  it('emits at most once per interval, and always the first and last step of each phase', () => {
    let clock = 1_000_000;
    const lines: string[] = [];
    const report = throttledProgress((line) => lines.push(line), 2_000, () => clock);
    report(exporting(1, 10)); // first step: emitted
    clock += 500;
    report(exporting(2, 10)); // too soon
    clock += 1_000;
    report(exporting(3, 10)); // still too soon
    clock += 600;
    report(exporting(4, 10)); // 2.1 s after the last emit
    clock += 10;
    report(exporting(10, 10)); // finished: always
    report({ phase: 'rendering', done: 1, total: 5, unit: 'pages' }); // a new phase: always
    expect(lines.map((l) => l.split(':')[0] + ' ' + /(\d+)\//.exec(l)![1])).toEqual(['exporting 1', 'exporting 4', 'exporting 10', 'rendering 1']);
    expect(lines[1]).toContain('2s elapsed');
  });

  it('throttles two phases that take turns each on its own, instead of emitting every step as a first', () => {
    let clock = 1_000_000;
    const lines: string[] = [];
    const report = throttledProgress((line) => lines.push(line), 2_000, () => clock);
    for (let step = 1; step <= 30; step++) {
      report({ phase: 'listing pages', done: step * 250, unit: 'pages' });
      report({ phase: 'scanning restrictions and labels', done: step * 100, unit: 'pages' });
      clock += 100;
    }
    // 3 s of turns: each phase's first step and one more after 2 s, not 60 lines.
    expect(lines.map((l) => l.split(':')[0] + ' ' + /: (\d+)/.exec(l)![1])).toEqual([
      'listing pages 250',
      'scanning restrictions and labels 100',
      'listing pages 5250',
      'scanning restrictions and labels 2100',
    ]);
  });

  it('emits the first step with a clock that starts at zero', () => {
    const lines: string[] = [];
    const report = throttledProgress((line) => lines.push(line), 2_000, () => 0);
    report(exporting(1, 10));
    expect(lines).toHaveLength(1);
  });
});
