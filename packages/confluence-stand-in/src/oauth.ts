/**
 * Tokens: the static bearer token handed to tests, and an OAuth 2.0 (3LO) server shaped like
 * auth.atlassian.com — authorization-code grant, refresh with rotation (every refresh issues a
 * new refresh token and the old one stops working), expiring access tokens, scopes.
 */
import { randomBytes } from 'node:crypto';
import type { EnvName } from './constants.ts';
import { OFFLINE_ACCESS } from './constants.ts';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** The refresh token valid at start (what CONFLUENCE_REFRESH_TOKEN would hold). */
  refreshToken: string;
  accessTokenTtlSec: number;
}

export interface TokenInfo {
  scopes: ReadonlySet<string>;
  /** Epoch ms; Infinity for the static token. */
  expiresAt: number;
  /** Tokens of an integration connected to one app environment are refused by the others. */
  env?: EnvName;
}

export interface IssueTokenOptions {
  scopes?: readonly string[];
  /** Seconds until expiry; 0 or negative gives an already expired token. Default: never expires. */
  ttlSec?: number;
  env?: EnvName;
}

export type TokenCheck = { ok: true; info: TokenInfo } | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

export interface OAuthReply {
  status: number;
  json?: unknown;
  location?: string;
}

interface Grant {
  scopes: string[];
}

export class OAuthServer {
  readonly options: OAuthOptions;
  private readonly defaultScopes: string[];
  private readonly accessTokens = new Map<string, TokenInfo>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly codes = new Map<string, { redirectUri: string; grant: Grant }>();

  constructor(options: OAuthOptions, defaultScopes: readonly string[]) {
    this.options = options;
    this.defaultScopes = [...defaultScopes];
    this.refreshTokens.set(options.refreshToken, { scopes: [...this.defaultScopes, OFFLINE_ACCESS] });
  }

  /** A token tests can use directly; scopes default to everything this server grants. */
  issueAccessToken(opts: IssueTokenOptions = {}): string {
    const token = `standin_at_${randomBytes(18).toString('base64url')}`;
    const ttl = opts.ttlSec;
    this.accessTokens.set(token, {
      scopes: new Set(opts.scopes ?? this.defaultScopes),
      expiresAt: ttl === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttl * 1000,
      env: opts.env,
    });
    return token;
  }

  /** Registers a token chosen by the caller (the stable static token). */
  registerAccessToken(token: string, info: TokenInfo): void {
    this.accessTokens.set(token, info);
  }

  /** Makes every access token issued so far expire now (the static one included). */
  expireAll(): void {
    for (const info of this.accessTokens.values()) info.expiresAt = Date.now() - 1;
  }

  check(authorization: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'missing' };
    const info = this.accessTokens.get(m[1] as string);
    if (!info) return { ok: false, reason: 'unknown' };
    if (info.expiresAt <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, info };
  }

  /** Whether a refresh token is currently valid (for tests of rotation). */
  isRefreshTokenValid(token: string): boolean {
    return this.refreshTokens.has(token);
  }

  /** GET /authorize: consent is implied, the browser is sent straight back with a code. */
  authorize(query: URLSearchParams): OAuthReply {
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    if (clientId !== this.options.clientId) {
      return { status: 400, json: { error: 'invalid_client', error_description: 'Unknown client_id.' } };
    }
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) {
      return { status: 400, json: { error: 'invalid_request', error_description: 'A valid redirect_uri is required.' } };
    }
    const responseType = query.get('response_type') ?? 'code';
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    if (responseType !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      return { status: 302, location: target.toString() };
    }
    const requested = query.get('scope');
    const scopes = requested ? requested.split(/[\s+]+/).filter(Boolean) : [...this.defaultScopes, OFFLINE_ACCESS];
    const code = `standin_code_${randomBytes(12).toString('base64url')}`;
    this.codes.set(code, { redirectUri, grant: { scopes } });
    target.searchParams.set('code', code);
    return { status: 302, location: target.toString() };
  }

  /** POST /oauth/token. */
  token(body: Record<string, unknown>): OAuthReply {
    const grantType = body.grant_type;
    if (grantType !== 'refresh_token' && grantType !== 'authorization_code') {
      return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type.' } };
    }
    if (body.client_id !== this.options.clientId || body.client_secret !== this.options.clientSecret) {
      return { status: 401, json: { error: 'invalid_client', error_description: 'Unknown or invalid client.' } };
    }
    let grant: Grant;
    if (grantType === 'refresh_token') {
      const old = typeof body.refresh_token === 'string' ? body.refresh_token : '';
      const found = this.refreshTokens.get(old);
      if (!found) return invalidGrant('Unknown or invalid refresh token.');
      // Rotation: the token just used is spent, whatever happens next.
      this.refreshTokens.delete(old);
      grant = found;
    } else {
      const code = typeof body.code === 'string' ? body.code : '';
      const found = this.codes.get(code);
      if (!found) return invalidGrant('Unknown or invalid authorization code.');
      this.codes.delete(code);
      if (body.redirect_uri !== found.redirectUri) return invalidGrant('redirect_uri does not match the authorization request.');
      grant = found.grant;
    }
    const accessScopes = grant.scopes.filter((s) => s !== OFFLINE_ACCESS);
    const ttl = this.options.accessTokenTtlSec;
    const accessToken = this.issueAccessToken({ scopes: accessScopes, ttlSec: ttl });
    const reply: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: ttl,
      token_type: 'Bearer',
      scope: grant.scopes.join(' '),
    };
    // Atlassian returns a refresh token only when offline_access was granted.
    if (grant.scopes.includes(OFFLINE_ACCESS)) {
      const refreshToken = `standin_rt_${randomBytes(18).toString('base64url')}`;
      this.refreshTokens.set(refreshToken, grant);
      reply.refresh_token = refreshToken;
    }
    return { status: 200, json: reply };
  }
}

function invalidGrant(description: string): OAuthReply {
  return { status: 403, json: { error: 'invalid_grant', error_description: description } };
}
