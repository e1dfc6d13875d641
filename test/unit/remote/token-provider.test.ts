import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfluenceLoaderError, InvalidGrantError, formatError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { oauthRefresh, readTokenStore, staticToken, writeTokenStore } from '../../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { useLoopback } from '../../helpers/loopback.ts';


const { serve, httpClient } = useLoopback();

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
let unique = 0;
/** Secrets unique to each test: the redaction registry is process-wide. */
function secrets() {
  unique++;
  return { clientSecret: `client-secret-${unique}-${Math.random()}`, refreshToken: `refresh-token-${unique}-${Math.random()}` };
}

/**
 * A token endpoint that rotates like Atlassian's: each refresh token works once and is replaced;
 * access tokens are `access-N`.
 */
async function tokenEndpoint(firstRefreshToken: string, options: { expiresIn?: number } = {}) {
  const state = { valid: new Set([firstRefreshToken]), calls: 0, grants: [] as unknown[], issued: 0 };
  const url = await serve((_req, res, body) => {
    state.calls++;
    const grant = JSON.parse(body) as { refresh_token: string };
    state.grants.push(grant);
    res.setHeader('content-type', 'application/json');
    if (!state.valid.delete(grant.refresh_token)) {
      res.statusCode = 403;
      res.end(JSON.stringify({ error: 'invalid_grant', error_description: `Unknown or invalid refresh token ${grant.refresh_token}` }));
      return;
    }
    state.issued++;
    const refresh = `${firstRefreshToken}-rotated-${state.issued}`;
    state.valid.add(refresh);
    res.end(JSON.stringify({ access_token: `access-token-${unique}-${state.issued}`, refresh_token: refresh, expires_in: options.expiresIn ?? 3600, token_type: 'Bearer' }));
  });
  return { url, state };
}

async function tempStore(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'token-provider-')), '.confluence', 'oauth.json');
}

describe('staticToken', () => {
  it('returns the token as is and cannot be refreshed', async () => {
    const provider = staticToken(' static-token-value ');
    expect(await provider.getToken()).toBe('static-token-value');
    expect(provider.refreshAfterUnauthorized).toBeUndefined();
    expect(() => staticToken('  ')).toThrow(ConfigError);
  });
});

describe('oauthRefresh', () => {
  it('refreshes at first use and persists the rotated token atomically, 0600 in a git-ignored 0700 folder', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url, state } = await tokenEndpoint(refreshToken);
    const storePath = await tempStore();
    const provider = oauthRefresh({ clientId: 'client-id', clientSecret, refreshToken, authUrl: url, storePath, http: httpClient() });
    expect(state.calls).toBe(0);

    expect(await provider.getToken()).toBe(`access-token-${unique}-1`);
    expect(state.grants).toEqual([{ grant_type: 'refresh_token', client_id: 'client-id', client_secret: clientSecret, refresh_token: refreshToken }]);

    const folder = join(storePath, '..');
    expect((await stat(storePath)).mode & 0o777).toBe(0o600);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(folder, '.gitignore'), 'utf8')).toBe('*\n');
    expect((await readdir(folder)).sort()).toEqual(['.gitignore', 'oauth.json']); // no temp file left
    const text = await readFile(storePath, 'utf8');
    expect(text).not.toContain(refreshToken + '"'); // the configured token is kept only as a hash
    expect(JSON.parse(text)).toMatchObject({ descendsFrom: sha256(refreshToken), refreshToken: `${refreshToken}-rotated-1` });
  });

  it('replaces the store by rename, never by rewriting it in place', async () => {
    const storePath = await tempStore();
    await writeTokenStore(storePath, { descendsFrom: 'a', refreshToken: 'first-token-value' });
    const before = (await stat(storePath)).ino;
    await writeTokenStore(storePath, { descendsFrom: 'a', refreshToken: 'second-token-value' });
    expect((await stat(storePath)).ino).not.toBe(before);
    expect(await readTokenStore(storePath)).toEqual({ descendsFrom: 'a', refreshToken: 'second-token-value' });
  });

  it('uses the stored rotated token on the next run, since the configured one is dead', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url, state } = await tokenEndpoint(refreshToken);
    const storePath = await tempStore();
    const options = { clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath, http: httpClient(), refreshMarginMs: 0 };
    await oauthRefresh(options).getToken();
    // A second build: same variable, access token expired by then.
    const later = oauthRefresh({ ...options, now: () => Date.now() + 2 * 3_600_000 });
    expect(await later.getToken()).toBe(`access-token-${unique}-2`);
    expect((state.grants[1] as { refresh_token: string }).refresh_token).toBe(`${refreshToken}-rotated-1`);
    expect((await readTokenStore(storePath))?.refreshToken).toBe(`${refreshToken}-rotated-2`);
  });

  it('reuses a stored access token that is still valid instead of refreshing', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url, state } = await tokenEndpoint(refreshToken);
    const storePath = await tempStore();
    const options = { clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath, http: httpClient() };
    const first = await oauthRefresh(options).getToken();
    expect(await oauthRefresh(options).getToken()).toBe(first);
    expect(state.calls).toBe(1);
  });

  it('lets a changed CONFLUENCE_REFRESH_TOKEN win over the store', async () => {
    const a = secrets();
    const b = secrets();
    const storePath = await tempStore();
    await writeTokenStore(storePath, { descendsFrom: sha256(a.refreshToken), refreshToken: `${a.refreshToken}-rotated-9`, accessToken: 'stale-access-token', expiresAt: Date.now() + 3_600_000 });
    const { url, state } = await tokenEndpoint(b.refreshToken);
    const provider = oauthRefresh({ clientId: 'c', clientSecret: b.clientSecret, refreshToken: b.refreshToken, authUrl: url, storePath, http: httpClient() });
    expect(await provider.getToken()).toBe(`access-token-${unique}-1`);
    expect((state.grants[0] as { refresh_token: string }).refresh_token).toBe(b.refreshToken);
    expect(await readTokenStore(storePath)).toMatchObject({ descendsFrom: sha256(b.refreshToken), refreshToken: `${b.refreshToken}-rotated-1` });
  });

  it('renews before expiry, by the margin, on the injected clock', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url, state } = await tokenEndpoint(refreshToken, { expiresIn: 3600 });
    let clock = 1_000_000;
    const provider = oauthRefresh({ clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath: await tempStore(), http: httpClient(), now: () => clock, refreshMarginMs: 60_000 });
    await provider.getToken();
    clock += 3_600_000 - 60_001;
    await provider.getToken();
    expect(state.calls).toBe(1);
    clock += 2;
    expect(await provider.getToken()).toBe(`access-token-${unique}-2`);
    expect(state.calls).toBe(2);
  });

  it('refreshes once for many concurrent callers', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url, state } = await tokenEndpoint(refreshToken);
    const provider = oauthRefresh({ clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath: await tempStore(), http: httpClient() });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(state.calls).toBe(1);
  });

  it('refreshes once after concurrent 401s on the same token, and not again for a token already replaced', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url, state } = await tokenEndpoint(refreshToken);
    const provider = oauthRefresh({ clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath: await tempStore(), http: httpClient() });
    const refused = await provider.getToken();
    const renewed = await Promise.all([1, 2, 3].map(() => provider.refreshAfterUnauthorized!(refused)));
    expect(new Set(renewed)).toEqual(new Set([`access-token-${unique}-2`]));
    expect(await provider.refreshAfterUnauthorized!(refused)).toBe(`access-token-${unique}-2`);
    expect(state.calls).toBe(2);
  });

  it('turns invalid_grant into an InvalidGrantError that explains expiry and rotation', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url } = await tokenEndpoint('some-other-refresh-token');
    const provider = oauthRefresh({ clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath: await tempStore(), http: httpClient() });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect((error as InvalidGrantError).hint).toMatch(/confluence-export auth/);
    expect((error as InvalidGrantError).hint).toMatch(/90 days of inactivity and 365 days absolute/);
  });

  it('fails loudly when the rotated token cannot be saved', async () => {
    const { clientSecret, refreshToken } = secrets();
    const { url } = await tokenEndpoint(refreshToken);
    const dir = await mkdtemp(join(tmpdir(), 'token-provider-'));
    await writeFile(join(dir, 'not-a-folder'), '');
    const provider = oauthRefresh({ clientId: 'c', clientSecret, refreshToken, authUrl: url, storePath: join(dir, 'not-a-folder', 'oauth.json'), http: httpClient() });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/rotated OAuth refresh token/);
  });

  it('rejects missing OAuth settings up front', () => {
    expect(() => oauthRefresh({ clientId: 'c', clientSecret: '', refreshToken: 'r-123456789', http: httpClient() })).toThrow(/CONFLUENCE_CLIENT_SECRET/);
  });
});

describe('no secret leaks on any failure path', () => {
  /** Every rendering of an error, its cause chain included. */
  function renderings(error: unknown): string[] {
    const out = [String(error), JSON.stringify(error), formatError(error)];
    for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
      out.push(e.message, String(e.stack), String(e));
      if (e instanceof ConfluenceLoaderError) out.push(e.hint, JSON.stringify(e.request));
    }
    return out;
  }

  /**
   * The worst case: an app endpoint that echoes the Authorization header and the token endpoint
   * that echoes the whole request body (client secret and refresh token) into error answers.
   */
  it.each([401, 403, 500, 'invalid_grant', 'network'] as const)('after %s', async (failure) => {
    const { clientSecret, refreshToken } = secrets();
    let accessToken = '';
    const url = await serve((req, res, body) => {
      if (req.url === '/oauth/token') {
        if (failure === 'invalid_grant') {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_grant', error_description: `bad grant in ${body}` }));
          return;
        }
        accessToken = `access-${Math.random()}-abcdef`;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: accessToken, refresh_token: `${refreshToken}-next`, expires_in: 3600 }));
        return;
      }
      if (failure === 'network') {
        req.socket.destroy();
        return;
      }
      res.writeHead(failure as number, { 'content-type': 'text/plain' });
      res.end(`denied for ${req.headers.authorization} token=${accessToken} while asking ${body}`);
    });
    const http = httpClient();
    const auth = oauthRefresh({ clientId: 'c', clientSecret, refreshToken, authUrl: `${url}/oauth/token`, storePath: await tempStore(), http });
    const error = await http
      .request({ method: 'POST', url: `${url}/bulkExport?access_token=${accessToken}`, kind: 'export', json: { pageId: '1' }, auth })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfluenceLoaderError);
    const texts = renderings(error).join('\n');
    for (const secret of [clientSecret, refreshToken, `${refreshToken}-next`, accessToken].filter(Boolean)) {
      expect(texts).not.toContain(secret);
    }
  });
});
