import { describe, expect, it } from 'vitest';
import { drainQueue } from '../../../packages/astro-loader-confluence/src/sync/work-queue.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('drainQueue', () => {
  it('resolves at once for an empty queue', async () => {
    await expect(drainQueue([], 4, async () => {
      throw new Error('never called');
    })).resolves.toBeUndefined();
  });

  it('runs every item with at most `concurrency` in flight, and uses all the slots', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    await drainQueue(Array.from({ length: 20 }, (_, i) => i), 3, async (item) => {
      active++;
      peak = Math.max(peak, active);
      for (let i = 0; i < (item % 4) + 1; i++) await tick();
      done.push(item);
      active--;
    });
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('starts items in queue order', async () => {
    const started: string[] = [];
    await drainQueue(['a', 'b', 'c', 'd'], 1, async (item) => {
      started.push(item);
      await tick();
    });
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs items that work pushes while it runs (a split batch)', async () => {
    const queue = [8];
    const seen: number[] = [];
    await drainQueue(queue, 2, async (n) => {
      seen.push(n);
      await tick();
      if (n > 1) queue.push(n / 2, n / 2);
    });
    expect(seen.sort((a, b) => a - b)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 8]);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const error = await drainQueue([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 2) throw new Error('batch 2 failed');
      await tick();
      await tick();
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('batch 2 failed');
    // 1 and 2 started together; 2 failed before 1 finished, so nothing else may start.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toEqual([1, 2]);
  });

  it('rejects only once the items still in flight have finished, so cleanup cannot race them', async () => {
    const finished: number[] = [];
    const error = await drainQueue([1, 2], 2, async (n) => {
      if (n === 1) throw new Error('batch 1 failed');
      for (let i = 0; i < 5; i++) await tick();
      finished.push(n);
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('batch 1 failed');
    // Without waiting, the sync's cleanup (rm -r of the staging folder) raced item 2's writes.
    expect(finished).toEqual([2]);
  });

  it('keeps the first failure when an item still in flight fails too', async () => {
    const error = await drainQueue([1, 2], 2, async (n) => {
      for (let i = 0; i < n; i++) await tick();
      throw new Error(`batch ${n} failed`);
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('batch 1 failed');
  });

  it('settles only after the last in-flight item finishes', async () => {
    let finished = 0;
    await drainQueue([1, 2, 3], 3, async (n) => {
      for (let i = 0; i < n * 3; i++) await tick();
      finished++;
    });
    expect(finished).toBe(3);
  });

  it('rejects when work throws synchronously in a later round', async () => {
    const work = (n: number): Promise<void> => {
      if (n === 3) throw new Error('sync boom');
      return Promise.resolve();
    };
    await expect(drainQueue([1, 2, 3, 4], 1, work)).rejects.toThrow('sync boom');
  });
});
