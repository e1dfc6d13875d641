/**
 * Where access tokens come from: either a bearer token used as is, or the OAuth 2.0 refresh flow.
 *
 * Atlassian rotates refresh tokens: every refresh returns a new one and kills the old one. So the
 * new token must outlive the process, or the next build fails with `invalid_grant`. It is kept in
 * a small store file (mode 0600, in a git-ignored 0700 folder), together with a fingerprint of the
 * configured token it descends from: once the user sets a different CONFLUENCE_REFRESH_TOKEN (after
 * re-authorising), the store no longer matches and the variable wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, ConfluenceLoaderError } from '../errors.ts';
import type { HttpClient, TokenProvider } from './http-client.ts';
import { tokenAnswerSchema } from './schemas.ts';
import { registerSecret } from '../redact.ts';

export type { TokenProvider };

/** A bearer token used as is (CONFLUENCE_ACCESS_TOKEN). */
export function staticToken(token: string): TokenProvider {
  const value = token.trim();
  if (!value) throw new ConfigError('The access token is empty.', { hint: 'Set CONFLUENCE_ACCESS_TOKEN to a bearer token, or use the OAuth variables CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN.' });
  registerSecret(value);
  return { getToken: async () => value };
}

export interface OAuthRefreshOptions {
  clientId: string;
  clientSecret: string;
  /** The refresh token as configured (CONFLUENCE_REFRESH_TOKEN). */
  refreshToken: string;
  /** Token endpoint. Default `https://auth.atlassian.com/oauth/token`. */
  authUrl?: string;
  /** Where the rotated refresh token is kept, relative to the working directory. Default `.confluence/oauth.json`. */
  storePath?: string;
  http: Pick<HttpClient, 'request'>;
  /** Clock, injected by tests. */
  now?: () => number;
  /** Renew this long before the access token expires. Default 60 s. */
  refreshMarginMs?: number;
}

/** What the store file holds. The configured refresh token itself is kept only as a fingerprint. */
export interface TokenStore {
  /** sha256 (hex) of the configured refresh token this chain of rotations started from. */
  descendsFrom: string;
  refreshToken: string;
  accessToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
}

export const DEFAULT_AUTH_URL = 'https://auth.atlassian.com/oauth/token';
export const DEFAULT_STORE_PATH = '.confluence/oauth.json';

/** The OAuth 2.0 refresh-token flow, with rotation persisted (see the module comment). */
export function oauthRefresh(options: OAuthRefreshOptions): TokenProvider {
  for (const [name, value] of [['CONFLUENCE_CLIENT_ID', options.clientId], ['CONFLUENCE_CLIENT_SECRET', options.clientSecret], ['CONFLUENCE_REFRESH_TOKEN', options.refreshToken]] as const) {
    if (!value?.trim()) throw new ConfigError(`${name} is empty, so the OAuth refresh flow cannot run.`, { hint: 'Set CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN together (or CONFLUENCE_ACCESS_TOKEN alone).' });
  }
  const configured = options.refreshToken.trim();
  registerSecret(options.clientSecret);
  registerSecret(configured);
  const authUrl = options.authUrl ?? DEFAULT_AUTH_URL;
  const storePath = resolve(options.storePath ?? DEFAULT_STORE_PATH);
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  const descendsFrom = fingerprint(configured);

  let loaded: Promise<void> | undefined;
  let refreshToken = configured;
  let accessToken: string | undefined;
  let expiresAt = 0;
  let inFlight: Promise<string> | undefined;

  async function load(): Promise<void> {
    const stored = await readTokenStore(storePath);
    // A store from another configured token (the user re-authorised) is stale: the variable wins.
    if (!stored || stored.descendsFrom !== descendsFrom) return;
    registerSecret(stored.refreshToken);
    registerSecret(stored.accessToken);
    refreshToken = stored.refreshToken;
    if (stored.accessToken && stored.expiresAt) {
      accessToken = stored.accessToken;
      expiresAt = stored.expiresAt;
    }
  }

  async function refresh(): Promise<string> {
    const response = await options.http.request({
      method: 'POST',
      url: authUrl,
      kind: 'auth',
      json: { grant_type: 'refresh_token', client_id: options.clientId, client_secret: options.clientSecret, refresh_token: refreshToken },
    });
    const parsed = tokenAnswerSchema.safeParse(response.json<unknown>());
    if (!parsed.success) {
      throw new ConfluenceLoaderError('The OAuth token endpoint answered without an access_token.', {
        request: { method: 'POST', url: authUrl, status: response.status },
        hint: 'Check CONFLUENCE_AUTH_URL: it must be the OAuth 2.0 token endpoint (default https://auth.atlassian.com/oauth/token).',
      }, 'BAD_RESPONSE', 'ConfluenceLoaderError');
    }
    const answer = parsed.data;
    registerSecret(answer.access_token);
    const lifetimeMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : 3_600_000;
    accessToken = answer.access_token;
    // Renew early, but never so early that a short-lived token is renewed at once.
    expiresAt = now() + lifetimeMs - Math.min(margin, lifetimeMs / 2);
    if (typeof answer.refresh_token === 'string' && answer.refresh_token) {
      registerSecret(answer.refresh_token);
      refreshToken = answer.refresh_token;
    }
    await writeTokenStore(storePath, { descendsFrom, refreshToken, accessToken, expiresAt });
    return accessToken;
  }

  /** One refresh at a time: concurrent callers share the promise of the one in flight. */
  function refreshOnce(): Promise<string> {
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function getToken(): Promise<string> {
    await (loaded ??= load());
    if (inFlight) return inFlight;
    if (accessToken && now() < expiresAt) return accessToken;
    return refreshOnce();
  }

  return {
    getToken,
    async refreshAfterUnauthorized(refused: string): Promise<string> {
      await (loaded ??= load());
      if (inFlight) return inFlight;
      // Someone else already replaced the refused token: use theirs instead of rotating again.
      if (accessToken && accessToken !== refused && now() < expiresAt) return accessToken;
      return refreshOnce();
    },
  };
}

/** sha256 hex of a token: lets the store say which token it descends from without holding it. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token.trim()).digest('hex');
}

/** The store's content, or undefined when there is none or it is unreadable (then the variable is used). */
export async function readTokenStore(path: string): Promise<TokenStore | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = JSON.parse(text) as Partial<TokenStore>;
    if (typeof data.descendsFrom !== 'string' || typeof data.refreshToken !== 'string' || !data.refreshToken) return undefined;
    const store: TokenStore = { descendsFrom: data.descendsFrom, refreshToken: data.refreshToken };
    if (typeof data.accessToken === 'string') store.accessToken = data.accessToken;
    if (typeof data.expiresAt === 'number') store.expiresAt = data.expiresAt;
    return store;
  } catch {
    return undefined;
  }
}

/**
 * Writes the store atomically (temp file + rename, so a crash never leaves half a token), mode
 * 0600, in a 0700 folder holding a `.gitignore` of `*` so the tokens are never committed.
 */
export async function writeTokenStore(path: string, store: TokenStore): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const created = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (created !== undefined) await chmod(dir, 0o700);
    await writeFile(join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await writeFile(temp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw new ConfigError(`Could not save the rotated OAuth refresh token to ${path}; the previous token no longer works, so the next build would fail.`, {
      hint: 'Make that folder writable (or point the token store elsewhere), then re-run the authorisation flow (`confluence-export auth`) to get a fresh refresh token.',
      cause: error,
    });
  }
}
