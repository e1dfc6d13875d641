/**
 * Fault injection over real HTTP. With about a quarter of the requests failing transiently (429,
 * 500, 502, 503, 504 with Retry-After, dropped connections), the loader's output is the same as
 * without faults; with a permanent failure, `astro build` exits non-zero naming the cause and the fix.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, generateSpace, start, type StandIn } from 'confluence-stand-in';
import type { PageEntry } from '../../packages/astro-loader-confluence/src/entries.ts';
import { createHarness, standInOptions } from '../helpers/pipeline.ts';
import { buildSite } from '../helpers/site-build.ts';
import { standInEnv as siteEnv } from '../helpers/stand-in-env.ts';

/** What Astro receives from the loader: everything that could differ if a fault leaked through. */
function comparable(entries: readonly PageEntry[]) {
  return [...entries]
    .map((entry) => ({ id: entry.id, filePath: entry.filePath, body: entry.body, data: entry.data }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Site builds run one at a time (see site-build.ts), so a build may first wait for others. */
const BUILD_TIMEOUT = 600_000;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

describe('transient faults on a quarter of the requests', () => {
  let standIn: StandIn;
  let baseline: ReturnType<typeof comparable>;

  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'mixed', size: 300, seed: 11 }) });
    const harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: ['internal'] }));
    try {
      baseline = comparable((await harness.run()).built!.entries);
    } finally {
      harness.cleanup();
    }
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('seed %i: the same entries as a fault-free run', async (seed) => {
    expect(baseline.length).toBeGreaterThan(100);
    standIn.clearFaults();
    standIn.resetLog();
    standIn.setFaults({ rate: 0.25, seed, drop: true, retryAfter: 0 });
    // A fresh cache each time, so every page is exported again through the faults.
    const harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: ['internal'], retries: 12, retryBaseDelayMs: 1 }));
    try {
      const result = await harness.run();
      const faults = standIn.log.filter((entry) => entry.fault === 'transient');
      // About a quarter of the requests failed, in every form: statuses and dropped connections.
      expect(faults.length / standIn.log.length).toBeGreaterThan(0.15);
      expect(new Set(faults.map((entry) => entry.status)).size).toBeGreaterThan(3);
      expect(faults.some((entry) => entry.status === 0)).toBe(true);
      expect(faults.some((entry) => entry.kind === 'export')).toBe(true);
      // Each fault was retried, except a 504 on an export: that means "too slow", and the batch is split instead.
      const retried = harness.logs.filter((log) => log.message.startsWith('retrying')).length;
      const split = faults.filter((entry) => entry.kind === 'export' && entry.status === 504).length;
      expect(retried + split).toBeGreaterThanOrEqual(faults.length);
      expect(comparable(result.built!.entries)).toEqual(baseline);
    } finally {
      standIn.clearFaults();
      harness.cleanup();
    }
  });
});

describe('a transient gateway timeout on a page with an image', () => {
  it('costs a retry, not the image', async () => {
    // One flat space: every page is its own batch once the home page's subtree is split.
    const standIn = await start({ port: 0, space: generateSpace({ shape: 'flat', size: 150, seed: 4, attachmentRate: 0.2, restrictedCount: 0, excludedCount: 0 }) });
    const harness = createHarness(() => ({ ...standInOptions(standIn), retryBaseDelayMs: 1 }));
    try {
      const withImage = standIn.space.all().find((page) => page.parentId && page.attachments.length > 0)!;
      let failed = 0;
      // The first export holding this page alone answers 504 "Gateway timeout", as a proxy would.
      standIn.failAlways((request) => {
        const body = request.body as { pageId?: string; bulkExport?: boolean } | undefined;
        if (request.kind !== 'export' || body?.pageId !== withImage.id || failed > 0) return false;
        failed++;
        return 504;
      });
      const result = await harness.run();
      expect(failed).toBe(1);
      const entry = result.built!.entries.find((e) => e.data.confluence.id === withImage.id)!;
      const fileName = withImage.attachments[0]!.fileName;
      expect(result.cache.hasAttachment(withImage.id, fileName)).toBe(true);
      expect(entry.body).not.toMatch(/https?:\/\/[^)\s]*download\/attachments/);
    } finally {
      await standIn.stop();
      harness.cleanup();
    }
  });
});

describe('a page too large for the app even alone', () => {
  it('stops the sync naming the page by id, with what the user can do', async () => {
    const spec = generateSpace({ shape: 'balanced', size: 12, seed: 4, restrictedCount: 0, excludedCount: 0 });
    const big = spec.pages[5]!;
    // Text that does not compress, so the zipped answer is as large as the page.
    const random = createRng(9);
    big.body = `${Array.from({ length: 40_000 }, () => Math.floor(random() * 36 ** 4).toString(36)).join(' ')}\n`;
    const standIn = await start({ port: 0, space: spec, maxResponseBytes: 150_000 });
    const harness = createHarness(() => ({ ...standInOptions(standIn), retries: 0 }));
    try {
      const error = (await harness.run().then(() => undefined, (e: unknown) => e)) as Error & { hint: string };
      expect(error.name).toBe('PayloadTooLargeError');
      expect(error.message).toMatch(new RegExp(`^Page ${big.id} is over the app's 5 MB limit even exported alone without attachments`));
      expect(error.hint).toContain(`Split page ${big.id} into smaller pages in Confluence, or keep it off the site with a label listed in CONFLUENCE_EXCLUDE_LABELS`);
      expect(error.message).not.toContain(big.title);
      expect(harness.state).toBeUndefined();
    } finally {
      await standIn.stop();
      harness.cleanup();
    }
  });
});

describe('Retry-After', () => {
  it('is honoured: the wait is the server\'s, not the (here 1 ms) backoff', async () => {
    const standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 3, seed: 3, restrictedCount: 0, excludedCount: 0 }) });
    // The listing and the page search run side by side, so which request draws which fault
    // depends on arrival order: as many retries as above, so that no request runs out of them.
    const harness = createHarness(() => ({ ...standInOptions(standIn), retries: 12, retryBaseDelayMs: 1 }));
    try {
      // Seed 7 fails the first request; every failure is a 429 asking for one second.
      standIn.setFaults({ rate: 0.3, seed: 7, statuses: [429], retryAfter: 1, kinds: ['rest'] });
      await harness.run();
      const retries = harness.logs.filter((l) => l.message.startsWith('retrying'));
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.length).toBe(standIn.log.filter((e) => e.fault === 'transient').length);
      for (const retry of retries) expect(retry.message).toMatch(/ in 1\.0s \(429, attempt \d\)/);
    } finally {
      await standIn.stop();
      harness.cleanup();
    }
  });
});

describe('a server that answers too slowly', () => {
  it('is given up on after the per-request limit and the retries, naming both limits', async () => {
    const standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 5, seed: 3, restrictedCount: 0, excludedCount: 0 }) });
    const harness = createHarness(() => ({ ...standInOptions(standIn), retries: 2, retryBaseDelayMs: 1, requestTimeoutMs: 200 }));
    try {
      standIn.setLatency({ restMs: 1000 });
      const error = await harness.run().then(() => undefined, (e: unknown) => e as Error & { hint: string });
      expect(error?.name).toBe('TimeoutError');
      expect(error!.message).toMatch(/No complete answer within 200 ms.*requestTimeoutMs.*deadlineMs.*Gave up after 3 attempts/s);
      expect(error!.hint).toMatch(/requestTimeoutMs/);
      expect(harness.logs.filter((l) => l.message.includes('(timeout, attempt'))).toHaveLength(2);
    } finally {
      await standIn.stop();
      harness.cleanup();
    }
  });

  it('stops at the overall deadline, whatever is left to retry', async () => {
    const standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 5, seed: 3, restrictedCount: 0, excludedCount: 0 }) });
    const harness = createHarness(() => ({ ...standInOptions(standIn), retries: 50, retryBaseDelayMs: 1, requestTimeoutMs: 200, deadlineMs: 700 }));
    try {
      standIn.setLatency({ restMs: 1000 });
      const error = await harness.run().then(() => undefined, (e: unknown) => e as Error);
      expect(error?.name).toBe('TimeoutError');
      expect(error!.message).toMatch(/overall deadline of 700 ms \(deadlineMs\)/);
      expect(harness.logs.filter((l) => l.message.includes('(timeout, attempt')).length).toBeLessThan(50);
    } finally {
      await standIn.stop();
      harness.cleanup();
    }
  });
});

describe('astro build under faults', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 40, seed: 5 }) });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('writes the same dist/ as a fault-free build', async () => {
    const clean = await buildSite('faults-clean', siteEnv(standIn));
    expect(clean.code, clean.output).toBe(0);

    // A deterministic half of the distinct requests fails once or twice with a retryable status,
    // so the build cannot run out of retries by bad luck; random faults are covered above.
    const statuses = [429, 500, 502, 503, 504];
    const attempts = new Map<string, number>();
    standIn.resetLog();
    const stopFaults = standIn.failAlways((request) => {
      const key = `${request.method} ${request.path} ${JSON.stringify(request.body ?? null)}`;
      const n = attempts.get(key) ?? 0;
      attempts.set(key, n + 1);
      const h = fnv1a(key);
      if (h % 2 !== 0 || n >= 1 + ((h >>> 2) % 2)) return false;
      return statuses[(h >>> 3) % statuses.length]!;
    });
    let faulty;
    try {
      faulty = await buildSite('faults-faulty', siteEnv(standIn));
    } finally {
      stopFaults();
    }
    expect(faulty.code, faulty.output).toBe(0);
    const injected = standIn.log.filter((entry) => entry.fault === 'permanent');
    expect(injected.length).toBeGreaterThan(5);
    expect(new Set(injected.map((entry) => entry.kind))).toEqual(new Set(['rest', 'export']));

    const files = filesUnder(clean.outDir);
    expect(files.filter((f) => f.endsWith('.html')).length).toBeGreaterThan(30);
    expect(filesUnder(faulty.outDir)).toEqual(files);
    for (const file of files) {
      const a = readFileSync(join(clean.outDir, file));
      const b = readFileSync(join(faulty.outDir, file));
      expect(b.equals(a), file).toBe(true);
    }
  }, BUILD_TIMEOUT);
});

describe('astro build under a permanent failure', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 12, seed: 2 }) });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  /** The build failed, said why and what to do, and did not leave a stack trace as its only words. */
  function expectExplained(build: { code: number | null; output: string; outDir: string }, cause: RegExp, fix: RegExp) {
    expect(build.code, build.output).not.toBe(0);
    expect(build.output).toMatch(cause);
    expect(build.output).toMatch(fix);
    // The message and hint are the explanation: no stack frames are printed with them.
    expect(build.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(build.output).not.toContain(standIn.accessToken);
    expect(existsSync(join(build.outDir, 'index.html'))).toBe(false);
  }

  it('500 on every export: a server error, retried, then "re-run" and the Forge logs', async () => {
    const stop = standIn.failAlways({ kind: 'export', status: 500 });
    try {
      const build = await buildSite('fault-500', siteEnv(standIn));
      expectExplained(build, /ServerError: The server failed with 500\..*Gave up after 6 attempts/s, /forge logs -e production/);
      expect(build.output).toContain('Unexpected server error');
    } finally {
      stop();
    }
  }, BUILD_TIMEOUT);

  it('403 when App REST APIs are disabled: names the admin setting and the environment', async () => {
    const disabled = await start({ port: 0, space: standIn.space, appRestApisEnabled: false });
    try {
      const build = await buildSite('fault-403', siteEnv(disabled));
      expectExplained(build, /ForbiddenError: .*App REST APIs are not enabled/, /enable App REST APIs.*CONFLUENCE_ENV/s);
    } finally {
      await disabled.stop();
    }
  }, BUILD_TIMEOUT);

  it('401 for a bad token: names the token and the scopes', async () => {
    const build = await buildSite('fault-401', siteEnv(standIn, { CONFLUENCE_ACCESS_TOKEN: 'not-a-valid-token-1234' }));
    expectExplained(build, /(AuthError|RestScopeError): .*(access token was refused|token is expired or lacks)/, /(re-authorise|scopes)/);
    expect(build.output).not.toContain('not-a-valid-token-1234');
  }, BUILD_TIMEOUT);

  it('404 for an unknown space: names the space key to check', async () => {
    const build = await buildSite('fault-404', siteEnv(standIn, { CONFLUENCE_SPACE_KEY: 'NOSUCHSPACE' }));
    expectExplained(build, /NotFoundError: /, /Check CONFLUENCE_SPACE_KEY/);
  }, BUILD_TIMEOUT);
});

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
