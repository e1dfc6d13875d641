import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OAUTH, generateSpace, start, type StandIn } from '../src/index.ts';

async function token(s: StandIn, body: Record<string, unknown>) {
  const res = await fetch(s.authUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

const client = { client_id: DEFAULT_OAUTH.clientId, client_secret: DEFAULT_OAUTH.clientSecret };

describe('OAuth 2.0', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await start({ space: generateSpace({ shape: 'flat', size: 3 }), oauth: { accessTokenTtlSec: 1 } });
  });
  afterAll(() => s.stop());

  it('rotates refresh tokens: each refresh returns a new one and the old one is rejected', async () => {
    const first = await token(s, { grant_type: 'refresh_token', ...client, refresh_token: DEFAULT_OAUTH.refreshToken });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ token_type: 'Bearer', expires_in: 1, access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(first.json.scope).toContain('export:markdown:custom');
    expect(first.json.refresh_token).not.toBe(DEFAULT_OAUTH.refreshToken);

    const reused = await token(s, { grant_type: 'refresh_token', ...client, refresh_token: DEFAULT_OAUTH.refreshToken });
    expect(reused.status).toBe(403);
    expect(reused.json).toEqual({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });

    const second = await token(s, { grant_type: 'refresh_token', ...client, refresh_token: first.json.refresh_token });
    expect(second.status).toBe(200);
    expect(s.isRefreshTokenValid(first.json.refresh_token)).toBe(false);
    expect(s.isRefreshTokenValid(second.json.refresh_token)).toBe(true);

    // The issued access token works until it expires (ttl 1 s here).
    const call = () =>
      fetch(`${s.apiUrl}/wiki/api/v2/spaces`, { headers: { authorization: `Bearer ${second.json.access_token}` } });
    expect((await call()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call()).status).toBe(401);
  });

  it('rejects a wrong client with 401 invalid_client', async () => {
    const r = await token(s, { grant_type: 'refresh_token', client_id: DEFAULT_OAUTH.clientId, client_secret: 'wrong', refresh_token: 'x' });
    expect(r.status).toBe(401);
    expect(r.json.error).toBe('invalid_client');
  });

  it('runs the authorization-code flow: /authorize redirects with code and state, the code is single-use', async () => {
    const redirectUri = 'http://127.0.0.1:9/callback';
    const q = new URLSearchParams({
      audience: 'api.atlassian.com',
      client_id: DEFAULT_OAUTH.clientId,
      scope: 'export:markdown:custom read:forge-app:confluence offline_access',
      redirect_uri: redirectUri,
      state: 'xyz-123',
      response_type: 'code',
      prompt: 'consent',
    });
    const res = await fetch(`${s.authorizeUrl}?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('xyz-123');
    const code = location.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const wrongUri = await token(s, { grant_type: 'authorization_code', ...client, code, redirect_uri: 'http://elsewhere/cb' });
    expect(wrongUri.status).toBe(403);
    // A failed exchange spends the code, as a real server treats a replayed code.
    const spent = await token(s, { grant_type: 'authorization_code', ...client, code, redirect_uri: redirectUri });
    expect(spent.json.error).toBe('invalid_grant');

    const again = new URL((await fetch(`${s.authorizeUrl}?${q}`, { redirect: 'manual' })).headers.get('location')!);
    const ok = await token(s, { grant_type: 'authorization_code', ...client, code: again.searchParams.get('code'), redirect_uri: redirectUri });
    expect(ok.status).toBe(200);
    expect(ok.json.refresh_token).toBeTruthy();
    expect(ok.json.scope).toBe('export:markdown:custom read:forge-app:confluence offline_access');
    // Only the requested scopes: the app works, REST does not.
    const rest = await fetch(`${s.apiUrl}/wiki/api/v2/spaces`, { headers: { authorization: `Bearer ${ok.json.access_token}` } });
    expect(rest.status).toBe(403);
    const refreshed = await token(s, { grant_type: 'refresh_token', ...client, refresh_token: ok.json.refresh_token });
    expect(refreshed.status).toBe(200);
  });

  it('gives no refresh token without offline_access, and 400 for an unknown client at /authorize', async () => {
    const q = new URLSearchParams({ client_id: DEFAULT_OAUTH.clientId, scope: 'export:markdown:custom', redirect_uri: 'http://127.0.0.1:9/cb', response_type: 'code' });
    const loc = new URL((await fetch(`${s.authorizeUrl}?${q}`, { redirect: 'manual' })).headers.get('location')!);
    const r = await token(s, { grant_type: 'authorization_code', ...client, code: loc.searchParams.get('code'), redirect_uri: 'http://127.0.0.1:9/cb' });
    expect(r.status).toBe(200);
    expect(r.json.refresh_token).toBeUndefined();
    q.set('client_id', 'someone-else');
    expect((await fetch(`${s.authorizeUrl}?${q}`, { redirect: 'manual' })).status).toBe(400);
  });

  it('logs auth requests under kind "auth"', async () => {
    s.resetLog();
    await token(s, { grant_type: 'password', ...client });
    expect(s.log).toHaveLength(1);
    expect(s.log[0]).toMatchObject({ kind: 'auth', status: 400, method: 'POST' });
    expect(s.counters.auth).toBe(1);
  });
});
