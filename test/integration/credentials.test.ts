/**
 * The OAuth refresh flow end to end, through the loader's options and the stand-in's token
 * endpoint: a token is obtained, renewed once after a 401, its rotation persisted safely and used
 * by the next build; a re-authorised token wins over the stored chain; invalid_grant is explained.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';
import { InvalidGrantError } from '../../packages/astro-loader-confluence/src/errors.ts';
import { bulkExport } from '../../packages/astro-loader-confluence/src/remote/export-client.ts';
import { createHttpClient } from '../../packages/astro-loader-confluence/src/remote/http-client.ts';
import type { ConfluenceLoaderOptions } from '../../packages/astro-loader-confluence/src/config/options.ts';
import { oauthRefresh, readTokenStore } from '../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';

const STORE = '.confluence/oauth.json';

function oauthOptions(standIn: StandIn, refreshToken = standIn.oauth.refreshToken): ConfluenceLoaderOptions {
  const { accessToken: _static, ...rest } = standInOptions(standIn);
  return {
    ...rest,
    authUrl: standIn.authUrl,
    retryBaseDelayMs: 1,
    oauth: { clientId: standIn.oauth.clientId, clientSecret: standIn.oauth.clientSecret, refreshToken, storePath: STORE },
  };
}

/** A fresh refresh token, as re-running the authorisation flow in a browser would give. */
async function reauthorise(standIn: StandIn): Promise<string> {
  const redirectUri = 'http://127.0.0.1/callback';
  const authorize = new URL(standIn.authorizeUrl);
  authorize.search = new URLSearchParams({ client_id: standIn.oauth.clientId, redirect_uri: redirectUri, response_type: 'code' }).toString();
  const consent = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const answer = await fetch(standIn.authUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: standIn.oauth.clientId, client_secret: standIn.oauth.clientSecret, code, redirect_uri: redirectUri }),
  });
  return ((await answer.json()) as { refresh_token: string }).refresh_token;
}

/** The refresh tokens the loader sent to the token endpoint, in order. */
function refreshTokensSent(standIn: StandIn): string[] {
  return standIn.log.filter((e) => e.kind === 'auth' && e.pathname.endsWith('/oauth/token')).map((e) => (e.body as { refresh_token: string }).refresh_token);
}

describe('the OAuth refresh flow through the loader', () => {
  let standIn: StandIn;
  let harness: Harness;
  let configured: ConfluenceLoaderOptions;

  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 30, seed: 9, restrictedCount: 0, excludedCount: 0 }) });
    configured = oauthOptions(standIn);
    harness = createHarness(() => configured);
  });
  afterAll(async () => {
    await standIn?.stop();
    harness?.cleanup();
  });

  it('obtains a token at start and keeps the rotated refresh token in a 0600 file of a git-ignored 0700 folder', async () => {
    const result = await harness.run();
    expect(result.built!.entries).toHaveLength(30);
    expect(standIn.counters.token).toBe(1);
    expect(refreshTokensSent(standIn)).toEqual([standIn.oauth.refreshToken]);

    const path = join(harness.root, STORE);
    const store = (await readTokenStore(path))!;
    expect(store.refreshToken).not.toBe(standIn.oauth.refreshToken);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(harness.root, '.confluence')).mode & 0o777).toBe(0o700);
    // Written atomically: no temporary file left beside it.
    expect(readdirSync(join(harness.root, '.confluence')).sort()).toEqual(['.gitignore', 'oauth.json']);
    // git itself agrees the folder is never committed.
    execFileSync('git', ['init', '-q'], { cwd: harness.root });
    const untracked = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: harness.root, encoding: 'utf8' });
    expect(untracked).not.toContain('.confluence');
    expect(untracked).toContain('cache/');
    // The configured token never reaches the file, only its fingerprint.
    expect(readFileSync(path, 'utf8')).not.toContain(standIn.oauth.refreshToken);
  });

  it('uses the stored token on the next run, and refreshes exactly once after a forced expiry', async () => {
    standIn.space.updatePage(standIn.space.all()[3]!.id, { body: 'Changed so the run exports something.' });
    standIn.resetLog();
    await harness.run();
    // The stored access token was still valid: no refresh at all.
    expect(standIn.counters.token).toBe(0);

    const before = (await readTokenStore(join(harness.root, STORE)))!;
    standIn.expireTokens();
    standIn.space.updatePage(standIn.space.all()[5]!.id, { body: 'Changed after the tokens expired.' });
    standIn.resetLog();
    const result = await harness.run();
    expect(result.built!.entries.some((e) => e.body.includes('Changed after the tokens expired.'))).toBe(true);
    expect(standIn.log.filter((e) => e.status === 401).length).toBe(1);
    expect(standIn.counters.token).toBe(1);
    // The refresh used the rotated token from the store (the configured one is long spent) …
    expect(refreshTokensSent(standIn)).toEqual([before.refreshToken]);
    // … and stored the next one.
    const after = (await readTokenStore(join(harness.root, STORE)))!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.descendsFrom).toBe(before.descendsFrom);
  });

  it('lets a changed configured refresh token win over the stored chain', async () => {
    const fresh = await reauthorise(standIn);
    configured = oauthOptions(standIn, fresh);
    standIn.space.updatePage(standIn.space.all()[7]!.id, { body: 'Changed after re-authorising.' });
    standIn.resetLog();
    await harness.run();
    expect(refreshTokensSent(standIn)).toEqual([fresh]);
    const store = (await readTokenStore(join(harness.root, STORE)))!;
    expect(store.refreshToken).not.toBe(fresh);
  });

  it('explains invalid_grant: re-authorise, and the inactivity and absolute limits', async () => {
    // The stand-in's initial token was spent by the first run's refresh; a machine without the store
    // (a new CI runner) presents it again.
    const other = createHarness(() => oauthOptions(standIn));
    try {
      const error = await other.run().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidGrantError);
      const text = `${(error as InvalidGrantError).message}\n${(error as InvalidGrantError).hint}`;
      expect(text).toMatch(/invalid_grant/);
      expect(text).toMatch(/Re-run the authorisation flow/);
      expect(text).toMatch(/90 days of inactivity and 365 days/);
      for (const secret of [standIn.oauth.refreshToken, standIn.oauth.clientSecret]) expect(text).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(standIn.oauth.clientSecret);
    } finally {
      other.cleanup();
    }
  });
});

describe('a flaky token endpoint', () => {
  it('is retried like any other call: half the token calls fail, the sync still gets its token', async () => {
    const standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 10, seed: 3, restrictedCount: 0, excludedCount: 0 }) });
    const harness = createHarness(() => ({ ...oauthOptions(standIn), retries: 8 }));
    try {
      standIn.setFaults({ rate: 0.5, seed: 7, drop: true, kinds: ['auth'] });
      const result = await harness.run();
      expect(result.built!.entries).toHaveLength(10);
      const calls = standIn.log.filter((e) => e.kind === 'auth');
      expect(calls.filter((e) => e.fault === 'transient').length).toBeGreaterThan(0);
      // The faults answered before the refresh was processed, so the one configured token served every attempt.
      expect(new Set(refreshTokensSent(standIn))).toEqual(new Set([standIn.oauth.refreshToken]));
      expect(calls.filter((e) => e.status === 200)).toHaveLength(1);
    } finally {
      await standIn.stop();
      harness.cleanup();
    }
  });
});

describe('a token that expires with many export batches in flight', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'flat', size: 40, seed: 1, restrictedCount: 0, excludedCount: 0 }) });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('is refreshed by exactly one token call, and every batch succeeds', async () => {
    const root = createHarness(() => oauthOptions(standIn));
    const http = createHttpClient({ concurrency: 4, baseDelayMs: 1 });
    try {
      const auth = oauthRefresh({
        clientId: standIn.oauth.clientId,
        clientSecret: standIn.oauth.clientSecret,
        refreshToken: standIn.oauth.refreshToken,
        authUrl: standIn.authUrl,
        storePath: join(root.root, STORE),
        http,
      });
      await auth.getToken();
      expect(standIn.counters.token).toBe(1);
      standIn.expireTokens();
      standIn.resetLog();

      // 20 batches at once: every one sets off with the expired token and is refused.
      const pages = standIn.space.all().filter((p) => p.parentId).slice(0, 20);
      const answers = await Promise.all(pages.map((p) => bulkExport(http, auth, standIn.exportUrl, { pageId: p.id, bulkExport: true, maxPages: 1 })));
      expect(answers.every((a) => a.zip.byteLength > 0)).toBe(true);
      expect(standIn.log.filter((e) => e.kind === 'export' && e.status === 401)).toHaveLength(20);
      expect(standIn.counters.token).toBe(1);
      expect(standIn.log.filter((e) => e.kind === 'export' && e.status === 200)).toHaveLength(20);
    } finally {
      await http.close();
      root.cleanup();
    }
  });
});
