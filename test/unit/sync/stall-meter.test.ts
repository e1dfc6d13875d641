import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startStallMeter } from '../../../packages/astro-loader-confluence/src/sync/stall-meter.ts';

/** Holds the event loop, as Astro's data-store serialisation does. */
function hold(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('the stall meter', () => {
  it('counts a stretch the event loop was held, and stops counting once stopped', async () => {
    const meter = startStallMeter();
    await sleep(30);
    hold(500);
    await sleep(30);
    const stalled = meter.stop();
    // A busier machine only delays the meter's ticks more: the hold is the least it can see.
    expect(stalled).toBeGreaterThanOrEqual(500 - 20);
    const other = startStallMeter();
    const early = other.stop();
    hold(300);
    expect(other.stop()).toBe(early);
  });
});
