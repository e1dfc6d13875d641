/**
 * The page search runs beside the page listing (sources/live-discovery.ts): both are chains of
 * cursors, and one after the other cost the two chains' latency on every build, also when nothing
 * changed. Over real HTTP with the stand-in: the two chains overlap, and either one failing still
 * fails the sync with its own error (never a partial answer, never an unhandled rejection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type LogEntry, type StandIn } from 'confluence-stand-in';
import { createHarness, standInOptions } from '../helpers/pipeline.ts';

const isListing = (entry: LogEntry) => /\/wiki\/api\/v2\/spaces\/[^/]+\/pages$/.test(entry.pathname);
const isPageSearch = (entry: LogEntry) => entry.pathname.endsWith('/wiki/rest/api/content/search') && /type = page/.test(entry.query.cql ?? '');

describe('the page search beside the listing', () => {
  let standIn: StandIn;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    // 700 pages: three listing calls (250 each) and several search calls (the stand-in answers 50).
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 700, seed: 5 }) });
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await standIn?.stop();
  });

  it('sends the first search request before the listing has ended, and publishes what the sequential scan did', async () => {
    standIn.clearFaults();
    standIn.resetLog();
    // Each answer takes 40 ms: a listing call can only follow the previous one's answer.
    standIn.setLatency({ restMs: 40 });
    const harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: ['internal'] }));
    try {
      const result = await harness.run();
      const listing = standIn.log.filter(isListing);
      const search = standIn.log.filter(isPageSearch);
      expect(listing.length).toBeGreaterThanOrEqual(3);
      expect(search.length).toBeGreaterThanOrEqual(3);
      // Arrival order, not durations: the search's first call came in before the listing's last.
      expect(standIn.log.indexOf(search[0]!)).toBeLessThan(standIn.log.indexOf(listing.at(-1)!));
      // The restricted pages (and the pages under them) are left out, as by the sequential scan.
      const restricted = standIn.space.pages().filter((page) => page.restricted).map((page) => page.id);
      expect(restricted.length).toBeGreaterThan(0);
      for (const id of restricted) expect(result.outcome.decision.published.has(id)).toBe(false);
      expect(result.outcome.decision.published.size).toBeGreaterThan(600);
    } finally {
      standIn.setLatency({});
      harness.cleanup();
    }
  });

  it('fails with the listing error when both fail, and the search error is held, not unhandled', async () => {
    standIn.clearFaults();
    standIn.resetLog();
    const stopListing = standIn.failAlways({ kind: 'rest', path: /\/spaces\/[^/]+\/pages(\?|$)/, status: 500 });
    const stopSearch = standIn.failAlways({ kind: 'rest', path: '/rest/api/content/search', status: 500 });
    const harness = createHarness(() => ({ ...standInOptions(standIn), retries: 0, excludeLabels: ['internal'] }));
    try {
      const error = await harness.run().then(() => undefined, (caught: unknown) => caught as Error);
      expect(error?.message).toMatch(/500/);
      expect(error?.message).toMatch(/\/spaces\/[^/?]+\/pages/);
      // Wait for the search's failed answer to have reached the loader, then for Node to report
      // unhandled rejections (it does after the microtasks of the turn that rejected).
      while (!standIn.log.some((entry) => isPageSearch(entry) && entry.status === 500)) await new Promise((resolve) => setTimeout(resolve, 20));
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      stopListing();
      stopSearch();
      harness.cleanup();
    }
  });

  it('fails with the search error when the search fails, though the listing succeeded', async () => {
    standIn.clearFaults();
    const stop = standIn.failAlways({ kind: 'rest', path: '/rest/api/content/search', status: 500 });
    const harness = createHarness(() => ({ ...standInOptions(standIn), retries: 0, excludeLabels: ['internal'] }));
    try {
      const error = await harness.run().then(() => undefined, (caught: unknown) => caught as Error);
      expect(error?.message).toMatch(/500/);
      expect(error?.message).toMatch(/content\/search/);
      expect(standIn.log.some(isListing)).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      stop();
      harness.cleanup();
    }
  });
});
