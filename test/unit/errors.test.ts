import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BadRequestError,
  ConfigError,
  ConfluenceLoaderError,
  ExportTimeoutError,
  ForbiddenError,
  InvalidGrantError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  RestScopeError,
  ServerError,
  errorForResponse,
  formatError,
  type EndpointKind,
} from '../../packages/astro-loader-confluence/src/errors.ts';
import { registerSecret } from '../../packages/astro-loader-confluence/src/redact.ts';

const url = 'https://api.atlassian.com/svc/confluence/c1/apps/x_y/bulkExport';
const map = (status: number, endpointKind: EndpointKind, body = '') => errorForResponse({ status, url, method: 'post', body, endpointKind });

describe('errorForResponse', () => {
  it('gives export statuses the meanings the app documents', () => {
    expect(map(400, 'export')).toBeInstanceOf(BadRequestError);
    expect(map(401, 'export')).toBeInstanceOf(AuthError);
    expect(map(403, 'export')).toBeInstanceOf(ForbiddenError);
    expect(map(404, 'export')).toBeInstanceOf(NotFoundError);
    expect(map(429, 'export')).toBeInstanceOf(RateLimitError);
    expect(map(500, 'export', 'Internal error')).toBeInstanceOf(ServerError);
  });

  it('tells an oversized or overlong batch apart from a plain server failure', () => {
    expect(map(500, 'export', '{"message":"Response payload too large"}')).toBeInstanceOf(PayloadTooLargeError);
    expect(map(413, 'export')).toBeInstanceOf(PayloadTooLargeError);
    expect(map(504, 'export')).toBeInstanceOf(ExportTimeoutError);
    expect(map(500, 'export', 'The function timed out after 25 s')).toBeInstanceOf(ExportTimeoutError);
    // The same bodies on REST are ordinary server errors (retried by the client).
    expect(map(504, 'rest')).toBeInstanceOf(ServerError);
    expect(map(500, 'rest', 'payload too large')).toBeInstanceOf(ServerError);
  });

  it('reads REST 401/403 as missing REST scopes', () => {
    expect(map(401, 'rest')).toBeInstanceOf(RestScopeError);
    expect(map(403, 'rest')).toBeInstanceOf(RestScopeError);
    expect(map(403, 'rest').hint).toMatch(/100 pages.*read:page:confluence/s);
  });

  it('recognises invalid_grant from the token endpoint, and a bad client as an AuthError', () => {
    const grant = map(400, 'auth', '{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}');
    expect(grant).toBeInstanceOf(InvalidGrantError);
    expect(grant.hint).toMatch(/confluence-export auth/);
    expect(grant.hint).toMatch(/90 days/);
    const client = map(401, 'auth', '{"error":"access_denied"}');
    expect(client).toBeInstanceOf(AuthError);
    expect(client.hint).toMatch(/CONFLUENCE_CLIENT_ID/);
  });

  it('states the request, the status, the cause and a fix', () => {
    const error = map(403, 'export', '{"message":"App REST APIs are disabled"}');
    expect(error.message).toContain(`POST ${url} → 403`);
    expect(error.message).toContain('App REST APIs are disabled');
    expect(error.status).toBe(403);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.hint).toMatch(/Manage apps/);
    expect(error.hint).toMatch(/CONFLUENCE_ENV/);
    expect(map(401, 'export').hint).toMatch(/export:markdown:custom.*read:forge-app:confluence/);
    expect(map(404, 'export').hint).toMatch(/CONFLUENCE_SPACE_KEY.*CONFLUENCE_ROOT_PAGE_ID/);
    expect(map(500, 'export', 'boom').hint).toMatch(/forge logs -e production/);
  });

  it('keeps a long body to a short excerpt', () => {
    const error = map(500, 'rest', 'x'.repeat(5000));
    expect(error.message.length).toBeLessThan(500);
  });
});

describe('ConfluenceLoaderError', () => {
  it('keeps each class distinguishable by instanceof, name and code', () => {
    const error = new ConfigError('CONFLUENCE_SPACE_KEY is missing.');
    expect(error).toBeInstanceOf(ConfluenceLoaderError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('CONFIG');
    expect(error.hint).toMatch(/CONFLUENCE_/);
  });

  it('keeps a caller hint, and the class default when the hint is undefined', () => {
    expect(new AuthError('x', { hint: 'do this' }).hint).toBe('do this');
    expect(new AuthError('x', { hint: undefined }).hint).toMatch(/re-authorise/);
  });

  it('redacts message, hint, request and cause', () => {
    const secret = 'errors-test-secret-7f3a9c';
    registerSecret(secret);
    const cause = new Error(`socket closed while sending ${secret}`);
    const error = new ServerError(`failed with ${secret}`, {
      hint: `not ${secret}`,
      request: { method: 'GET', url: `https://x.test/?access_token=${secret}` },
      cause,
    });
    for (const text of [error.message, error.hint, String(error.stack), JSON.stringify(error), String(error.cause), String((error.cause as Error).stack), formatError(error)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('formats for logs with message and hint, without a stack', () => {
    const text = formatError(new NotFoundError('No pages were found.'));
    expect(text).toMatch(/^NotFoundError: No pages were found\.\n {2}Hint: Check CONFLUENCE_SPACE_KEY/);
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(formatError(new Error('plain'))).toBe('Error: plain');
  });
});
