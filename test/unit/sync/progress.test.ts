import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, throttledProgress } from '../../../packages/astro-loader-confluence/src/sync/progress.ts';

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

describe('formatProgress', () => {
  it('shows batches, pages, elapsed time and what is left', () => {
    expect(formatProgress({ batchesDone: 25, batchesTotal: 100, pagesDone: 300, pagesTotal: 1200 }, 10_000)).toBe(
      'exported 25/100 batches, 300/1200 pages, 10s elapsed ~30s left',
    );
  });

  it('gives no estimate before the first batch or once done', () => {
    expect(formatProgress({ batchesDone: 0, batchesTotal: 10, pagesDone: 0, pagesTotal: 50 }, 3_000)).not.toContain('left');
    expect(formatProgress({ batchesDone: 10, batchesTotal: 10, pagesDone: 50, pagesTotal: 50 }, 3_000)).not.toContain('left');
    expect(formatProgress({ batchesDone: 0, batchesTotal: 0, pagesDone: 0, pagesTotal: 0 }, 0)).toBe('exported 0/0 batches, 0/0 pages, 0s elapsed');
  });
});

describe('throttledProgress', () => {
  const step = (batchesDone: number, batchesTotal = 10) => ({ batchesDone, batchesTotal, pagesDone: batchesDone, pagesTotal: batchesTotal });

  it('emits at most once per interval, and always the last step', () => {
    let clock = 1_000_000;
    const lines: string[] = [];
    const report = throttledProgress((line) => lines.push(line), 2_000, () => clock);
    report(step(1)); // first step: emitted
    clock += 500;
    report(step(2)); // too soon
    clock += 1_000;
    report(step(3)); // still too soon
    clock += 600;
    report(step(4)); // 2.1 s after the last emit
    clock += 10;
    report(step(10)); // finished: always
    expect(lines.map((l) => l.match(/exported (\d+)/)![1])).toEqual(['1', '4', '10']);
    expect(lines[1]).toContain('2s elapsed');
  });

  it('measures elapsed time from its creation', () => {
    let clock = 50_000;
    const lines: string[] = [];
    const report = throttledProgress((line) => lines.push(line), 1_000, () => clock);
    clock += 61_000;
    report(step(5));
    expect(lines).toEqual([expect.stringContaining('1m01s elapsed ~1m01s left')]);
  });
});

describe('throttledProgress with a clock that starts at zero', () => {
  it('emits the first step', () => {
    const lines: string[] = [];
    const report = throttledProgress((line) => lines.push(line), 2_000, () => 0);
    report({ batchesDone: 1, batchesTotal: 10, pagesDone: 5, pagesTotal: 50 });
    expect(lines).toHaveLength(1);
  });
});
