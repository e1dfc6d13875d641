/**
 * Typed errors, one class per cause, exported from the package root so that a site can tell
 * "the token expired" from "the space does not exist" without parsing messages.
 *
 * Every error carries a `message` that names the cause (and the request, when there was one) and a
 * `hint` that says what to do. Both pass through `redact`, and so does anything kept as `cause`,
 * so an error can be logged, serialised or shown in an overlay without leaking a secret.
 */
import { redact } from './redact.ts';

/** Which remote API a request went to: the same status means different things on each. */
export type EndpointKind = 'export' | 'rest' | 'auth';

/** The request an error is about, with secrets already redacted from the URL. */
export interface RequestDescription {
  method: string;
  url: string;
  status?: number;
}

export interface LoaderErrorOptions {
  /** What to do about it; each class has a default. */
  hint?: string;
  request?: RequestDescription;
  cause?: unknown;
}

const APP_SCOPES = 'export:markdown:custom and read:forge-app:confluence';

export class ConfluenceLoaderError extends Error {
  /** Stable machine-readable cause, e.g. `AUTH`; the class says the same thing to `instanceof`. */
  readonly code: string;
  /** What to do about it. */
  readonly hint: string;
  readonly request?: RequestDescription;
  /** HTTP status of the failed request, when there was one. */
  readonly status?: number;

  constructor(
    message: string,
    options: LoaderErrorOptions = {},
    code = 'CONFLUENCE_LOADER',
    name = 'ConfluenceLoaderError',
    defaultHint = 'See the message above.',
  ) {
    const request = options.request && { ...options.request, url: redact(options.request.url) };
    super(redact(request ? `${message} [${describeRequest(request)}]` : message), {
      cause: sanitizeCause(options.cause),
    });
    this.name = name;
    this.code = code;
    this.hint = redact(options.hint ?? defaultHint);
    if (request) this.request = request;
    if (request?.status !== undefined) this.status = request.status;
  }

  /** What `JSON.stringify` shows: the cause and the fix, never a stack or a raw `cause`. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, status: this.status };
  }
}

type Options = LoaderErrorOptions;

/** Invalid or missing loader options / `CONFLUENCE_*` variables. */
export class ConfigError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'CONFIG', 'ConfigError', 'Check the loader options or the CONFLUENCE_* environment variables named in the message.');
  }
}

/** 401: token missing, expired, or lacking a scope. */
export class AuthError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'AUTH', 'AuthError',
      `Refresh the access token or re-authorise the OAuth integration (\`confluence-export auth\`); the token needs the scopes ${APP_SCOPES} (plus offline_access for a refresh token).`);
  }
}

/** 403 from the app: App REST APIs disabled, or the integration is connected to another environment. */
export class ForbiddenError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'FORBIDDEN', 'ForbiddenError', 'A site admin must enable App REST APIs for Markdown Exporter for Confluence (Manage apps → View app details → Details → App REST APIs). Also check that CONFLUENCE_ENV (production, staging or development) matches the environment the OAuth integration is connected to.');
  }
}

/** 404: no pages for the space or page id. */
export class NotFoundError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'NOT_FOUND', 'NotFoundError', 'Check CONFLUENCE_SPACE_KEY (case-sensitive) or CONFLUENCE_ROOT_PAGE_ID (the number in the page URL), and that the authorising user can see that space.');
  }
}

/** 400 from the app: the request named neither a space nor a page. */
export class BadRequestError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'BAD_REQUEST', 'BadRequestError', 'Set CONFLUENCE_SPACE_KEY or CONFLUENCE_ROOT_PAGE_ID (or the spaceKey / rootPageId option).');
  }
}

/** 5xx that retrying did not cure. */
export class ServerError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'SERVER', 'ServerError', 'This is often transient: re-run the build. If it persists, the app owner can read the Forge logs with `forge logs -e production`.');
  }
}

/** 429 that outlasted every retry. */
export class RateLimitError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'RATE_LIMITED', 'RateLimitError', 'Atlassian is throttling this token: lower the `concurrency` option, or wait a few minutes and re-run.');
  }
}

/** A request, or the whole sync, ran out of time. */
export class TimeoutError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'TIMEOUT', 'TimeoutError', 'Check the network path to Atlassian; for a very large space raise the `requestTimeoutMs` or `deadlineMs` option.');
  }
}

/** The connection failed or dropped, and retrying did not help. */
export class NetworkError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'NETWORK', 'NetworkError', 'Check the network connection and proxy settings (HTTPS_PROXY), and the host names in CONFLUENCE_SITE, CONFLUENCE_EXPORT_URL and CONFLUENCE_API_URL.');
  }
}

/** OAuth `invalid_grant`: the refresh token expired, was revoked, or was already rotated. */
export class InvalidGrantError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'INVALID_GRANT', 'InvalidGrantError', 'Re-run the authorisation flow (`confluence-export auth`) and set the new CONFLUENCE_REFRESH_TOKEN. Refresh tokens expire after 90 days of inactivity and 365 days absolute, and every refresh invalidates the previous token, so another machine or CI job refreshing with the same token revokes yours.');
  }
}

/** Confluence REST answered 401/403: the token lacks the (optional) REST scopes. */
export class RestScopeError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'REST_SCOPE', 'RestScopeError', 'Without Confluence REST scopes the loader cannot check which pages are restricted, so it publishes nothing unless the site sets checkRestrictions: false (then up to 100 pages, by CONFLUENCE_SPACE_KEY, unchecked). Add read:space:confluence, read:page:confluence, read:folder:confluence, read:content-details:confluence, read:label:confluence and search:confluence to the OAuth integration and re-authorise.');
  }
}

/** An export answer that is not a readable archive. */
export class ArchiveError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'ARCHIVE', 'ArchiveError', 'Re-run the build; if the same batch fails again, report it with the export id and batch named in the message.');
  }
}

/** The batch is over the app's size limits (5 MB response, 2 MB attachments): split it. */
export class PayloadTooLargeError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'PAYLOAD_TOO_LARGE', 'PayloadTooLargeError', 'Split the batch into smaller ones (the loader does this itself when planning).');
  }
}

/** The batch ran past the app's 25 s function limit: split it. */
export class ExportTimeoutError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'EXPORT_TIMEOUT', 'ExportTimeoutError', 'Split the batch into smaller ones (the loader does this itself when planning).');
  }
}

const KEPT = 'Nothing was published from this sync and the last good content was kept.';

/** A remote answer that lacks a field the loader relies on (remote/schemas.ts): it stops rather than guess. */
export class ResponseShapeError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'BAD_RESPONSE', 'ResponseShapeError',
      `${KEPT} Check that CONFLUENCE_API_URL and CONFLUENCE_EXPORT_URL point at Atlassian (or a stand-in that matches its API) and re-run; if it persists, report the endpoint and the field named here.`);
  }
}

/**
 * The page tree Confluence described cannot be trusted as it is (a listing that loops or never
 * ends, a page listed twice with different parents, a parent that is missing, a cycle): publishing
 * it would publish a different tree than Confluence has, so the sync stops.
 */
export class UntrustedTreeError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'UNTRUSTED_TREE', 'UntrustedTreeError',
      `${KEPT} Re-run the build; if it persists, the answer named here is wrong at its source (report it to Atlassian, or check a proxy in CONFLUENCE_API_URL).`);
  }
}

/** Whether a page may be published could not be established (a restriction or label look-up failed). */
export class PrivacyCheckError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'PRIVACY_CHECK', 'PrivacyCheckError',
      `${KEPT} Re-run the build; if it persists, check the token's scopes with \`confluence-export doctor\`.`);
  }
}

/** An export answer whose files cannot be told apart as the pages asked for, even exported one by one. */
export class UnmatchedExportError extends ConfluenceLoaderError {
  constructor(message: string, options: Options = {}) {
    super(message, options, 'UNMATCHED_EXPORT', 'UnmatchedExportError',
      `${KEPT} The archive does not say which file is which page; the loader never guesses. Re-run the build; if it persists, report the page ids named here.`);
  }
}

export interface ResponseFacts {
  status: number;
  url: string;
  method: string;
  /** The response body as text (only a redacted excerpt ends up in the message). */
  body?: string;
  endpointKind: EndpointKind;
}

/** Bodies the app (or the Forge platform in front of it) sends when a batch is too big. */
const TOO_LARGE = /too large|payload|size limit|exceed(?:s|ed)?[^.]{0,40}(?:limit|size|mb)|\b5 ?mb\b/i;
/** …and when a batch ran out of time. */
const TIMED_OUT = /timed? ?out|timeout|time limit/i;

/** Maps a non-2xx answer to the error that names its cause, with the seed API's meanings. */
export function errorForResponse(facts: ResponseFacts): ConfluenceLoaderError {
  const { status, endpointKind: kind } = facts;
  const request = { method: facts.method, url: facts.url, status };
  const said = serverSaid(facts.body);
  const options = { request };

  if (kind === 'auth') {
    const oauthError = oauthErrorCode(facts.body);
    if (oauthError === 'invalid_grant') {
      return new InvalidGrantError(`The OAuth refresh token was refused (invalid_grant): it expired, was revoked, or was already rotated by an earlier refresh.${said}`, options);
    }
    if (status === 400 || status === 401 || status === 403) {
      return new AuthError(`The OAuth token endpoint refused the client (${oauthError ?? status}).${said}`, {
        ...options,
        hint: 'Check CONFLUENCE_CLIENT_ID and CONFLUENCE_CLIENT_SECRET against the Settings tab of the OAuth 2.0 integration in developer.atlassian.com/console.',
      });
    }
  }

  if (kind === 'rest' && (status === 401 || status === 403)) {
    return new RestScopeError(`Confluence REST refused the request (${status}): the token is expired or lacks the REST scopes.${said}`, options);
  }

  if (kind === 'export') {
    if (status === 413 || (status >= 500 && TOO_LARGE.test(facts.body ?? ''))) {
      return new PayloadTooLargeError(`The export batch is too large for one call (5 MB response or 2 MB attachment limit).${said}`, options);
    }
    if (status === 504 || (status >= 500 && TIMED_OUT.test(facts.body ?? ''))) {
      return new ExportTimeoutError(`The export batch ran past the app's 25 s time limit.${said}`, options);
    }
  }

  switch (status) {
    case 400:
      return kind === 'export'
        ? new BadRequestError(`The export request named neither a space nor a page (missing spaceKey or pageId).${said}`, options)
        : new BadRequestError(`The request was rejected as malformed.${said}`, { ...options, hint: 'This is a bug in the loader or a stand-in that does not match the API: please report it with this message.' });
    case 401:
      return new AuthError(`The access token was refused: it is missing, expired, or lacks a required scope.${said}`, options);
    case 403:
      return new ForbiddenError(`The Markdown Exporter app refused access: App REST APIs are not enabled, or the OAuth integration is connected to another app environment.${said}`, options);
    case 404:
      return new NotFoundError(kind === 'export' ? `No pages were found for the given space or page id.${said}` : `Confluence has no such page or space, or the token cannot see it.${said}`, options);
    case 429:
      return new RateLimitError(`Atlassian kept answering 429 Too Many Requests.${said}`, options);
  }
  if (status >= 500) return new ServerError(`The server failed with ${status}.${said}`, options);
  return new ConfluenceLoaderError(`Unexpected HTTP status ${status}.${said}`, options, 'HTTP', 'ConfluenceLoaderError',
    'Check that the configured URLs point at Atlassian (or a stand-in that matches its API).');
}

/** One line for logs: the message and the hint, never a stack. */
export function formatError(err: unknown): string {
  if (err instanceof ConfluenceLoaderError) return `${err.name}: ${err.message}\n  Hint: ${err.hint}`;
  if (err instanceof Error) return redact(`${err.name}: ${err.message}`);
  return redact(String(err));
}

function describeRequest(request: RequestDescription): string {
  return `${request.method.toUpperCase()} ${request.url}${request.status === undefined ? '' : ` → ${request.status}`}`;
}

const EXCERPT_LENGTH = 200;

/** A short, redacted excerpt of what the server said, to put after the cause. */
function serverSaid(body: string | undefined): string {
  if (!body) return '';
  let text = body.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const fields = ['error_description', 'message', 'error', 'title', 'detail']
        .map((key) => record[key])
        .filter((value): value is string => typeof value === 'string');
      if (fields.length > 0) text = [...new Set(fields)].join(': ');
    }
  } catch {
    // Not JSON: the raw text is what the server said.
  }
  text = text.replace(/\s+/g, ' ');
  if (!text) return '';
  if (text.length > EXCERPT_LENGTH) text = `${text.slice(0, EXCERPT_LENGTH)}…`;
  return ` The server said: "${redact(text)}".`;
}

function oauthErrorCode(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return /invalid_grant/.test(body) ? 'invalid_grant' : undefined;
  }
}

/**
 * A copy of `cause` that is safe to keep: an upstream error's message or stack may quote a URL
 * or body holding a secret, so only redacted text survives, and the chain is cut short.
 */
function sanitizeCause(cause: unknown, depth = 0): unknown {
  if (cause === undefined || cause === null) return undefined;
  if (depth > 3) return undefined;
  if (cause instanceof Error) {
    const copy = new Error(redact(cause.message));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') (copy as { code?: string }).code = code;
    copy.stack = redact(cause.stack ?? `${copy.name}: ${copy.message}`);
    const inner = sanitizeCause(cause.cause, depth + 1);
    if (inner !== undefined) copy.cause = inner;
    return copy;
  }
  return redact(typeof cause === 'string' ? cause : safeStringify(cause));
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
