// Stage remote: requests to the app, Confluence REST and OAuth in → checked answers (or typed errors) out.
/**
 * The one HTTP client every remote call goes through (export app, Confluence REST, OAuth).
 *
 * Sharing it is the point: the concurrency limit, the overall deadline and the request counts hold
 * across every caller, so a tree walk and an export fan-out cannot together exceed what Atlassian
 * tolerates. Retries follow the usual rules for idempotent-enough calls: back off on 429/5xx and
 * dropped connections, honour `Retry-After`, never retry a client error, and refresh the token once
 * on 401. Export failures that mean "this batch is too big or too slow" are surfaced at once,
 * because retrying the same batch would fail the same way: the caller splits it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, EnvHttpProxyAgent, request as undiciRequest, type Dispatcher } from 'undici';
import {
  ConfluenceLoaderError,
  ExportTimeoutError,
  NetworkError,
  PayloadTooLargeError,
  TimeoutError,
  errorForResponse,
  type EndpointKind,
} from '../errors.ts';
import { redact } from '../redact.ts';

export type RequestKind = EndpointKind;

/**
 * What the client needs from a credential. Defined here, by its user, so that the token provider
 * (which sends its refresh requests through this client) depends on the client and not both ways.
 */
export interface TokenProvider {
  /** A valid access token, obtained or renewed as needed. */
  getToken(): Promise<string>;
  /**
   * Called after a 401 with the token that was refused; renews it unless a concurrent caller
   * already has. Absent for tokens that cannot be renewed.
   */
  refreshAfterUnauthorized?(refused: string): Promise<string>;
}

export interface HttpClientOptions {
  /** Requests in flight at once, across every caller of this client. Default 4. */
  concurrency?: number;
  /** Limit for one attempt, body included. Default 30 s: a little above the app's 25 s function limit. */
  requestTimeoutMs?: number;
  /** Limit for everything this client does, counted from its creation. Default 30 min. */
  deadlineMs?: number;
  /** Retries after the first attempt, for retryable failures. Default 5. */
  retries?: number;
  /** Backoff base: retry n waits a random time in [0, baseDelayMs × 2ⁿ). Default 500 ms. */
  baseDelayMs?: number;
  /** Cap of the backoff window. Default 30 s. */
  maxDelayMs?: number;
  /** Cap on a server's `Retry-After`, so a bogus value cannot stall a build. Default 60 s. */
  retryAfterCapMs?: number;
  /** Largest response body accepted. Default 64 MiB (exports are at most 5 MB, base64 adds a third). */
  maxResponseBytes?: number;
  /** Source of randomness for jitter, in [0, 1). Injected by tests. */
  random?: () => number;
  /** How to wait between retries. Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for the deadline and HTTP-date `Retry-After`. Injected by tests. */
  now?: () => number;
  /** Told about every retry, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
  /** An undici dispatcher to use instead of the client's own agent (it is then not closed by `close`). */
  dispatcher?: Dispatcher;
}

export interface RetryEvent {
  kind: RequestKind;
  method: string;
  /** Redacted. */
  url: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** The status (`"503"`) or error code (`"ECONNRESET"`, `"timeout"`) that caused it. */
  reason: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as the JSON body, with `content-type: application/json`. */
  json?: unknown;
  /** Adds `Authorization: Bearer …`; a refreshable provider gets one refresh after a 401. */
  auth?: TokenProvider;
  /** Which API this is: picks the error meanings and the counter. */
  kind: RequestKind;
  /** Statuses handed back to the caller instead of thrown (2xx always are). */
  acceptStatus?: readonly number[];
  signal?: AbortSignal;
  /**
   * Stream a 2xx body into this file instead of memory (attachment downloads): written to a
   * sibling temporary file and renamed into place once complete, at most `maxBytes` of it.
   */
  toFile?: { path: string; maxBytes: number };
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The whole body, buffered. */
  bytes: Uint8Array;
  text(): string;
  /** Parses the body; a body that is not JSON is an error naming the request. */
  json<T = unknown>(): T;
}

export interface HttpStats {
  /** Requests sent, per kind, retries included. */
  requests: Record<RequestKind, number>;
  retries: number;
  /** Most requests ever in flight at once. */
  peakConcurrency: number;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  stats(): HttpStats;
  readonly concurrency: number;
  close(): Promise<void>;
}

const DEFAULTS = {
  concurrency: 4,
  requestTimeoutMs: 30_000,
  deadlineMs: 30 * 60_000,
  retries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  retryAfterCapMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
};

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Error codes of a connection that failed or dropped, worth another try. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH',
  'EHOSTUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);
const RETRYABLE_MESSAGE = /socket hang up|other side closed|terminated|connection reset/i;

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const concurrency = Math.max(1, Math.floor(settings.concurrency));
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadlineAt = now() + settings.deadlineMs;
  const ownDispatcher = options.dispatcher ? undefined : createDispatcher(concurrency);
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  const semaphore = createSemaphore(concurrency);
  const stats: HttpStats = { requests: { export: 0, rest: 0, auth: 0 }, retries: 0, peakConcurrency: 0 };

  const limits = `the per-request limit is ${formatMs(settings.requestTimeoutMs)} (requestTimeoutMs) and the overall deadline ${formatMs(settings.deadlineMs)} (deadlineMs)`;

  function deadlineError(described: { method: string; url: string }, lastFailure?: ConfluenceLoaderError): TimeoutError {
    const last = lastFailure ? ` The last attempt failed: ${lastFailure.message.replace(/ \[[^\]]*\]$/, '')}` : '';
    return new TimeoutError(
      `The overall deadline of ${formatMs(settings.deadlineMs)} (deadlineMs) passed before this request could complete; the per-request limit is ${formatMs(settings.requestTimeoutMs)} (requestTimeoutMs).${last}`,
      { request: described, cause: lastFailure },
    );
  }

  async function send(req: HttpRequest, token: string | undefined): Promise<RawResponse> {
    const headers: Record<string, string> = { 'user-agent': 'astro-loader-confluence', ...lowerCaseKeys(req.headers) };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    const timeoutMs = Math.max(1, Math.min(settings.requestTimeoutMs, deadlineAt - now()));
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new RequestTimedOut(timeoutMs)), timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timer.signal]) : timer.signal;
    try {
      const response = await undiciRequest(req.url, { method: req.method.toUpperCase() as Dispatcher.HttpMethod, headers, body, signal, dispatcher });
      if (req.toFile && response.statusCode >= 200 && response.statusCode < 300) {
        await writeBody(response.body, req.toFile, req);
        return { status: response.statusCode, headers: flattenHeaders(response.headers), bytes: new Uint8Array() };
      }
      const bytes = await readBody(response.body, settings.maxResponseBytes, req);
      return { status: response.statusCode, headers: flattenHeaders(response.headers), bytes };
    } catch (error) {
      if (timer.signal.aborted && !req.signal?.aborted) throw timer.signal.reason as RequestTimedOut;
      throw error;
    } finally {
      clearTimeout(timeout);
    }
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const described = { method, url: req.url };
    let refreshedAfter401 = false;
    let retry = 0;
    for (;;) {
      if (now() >= deadlineAt) throw deadlineError(described);
      // The token is fetched before taking a slot: a refresh is itself a request through this
      // client, and waiting for it while holding a slot could deadlock a full pool.
      const token = req.auth ? await req.auth.getToken() : undefined;
      const release = await semaphore.acquire();
      let outcome: { response: RawResponse } | { error: unknown };
      try {
        if (now() >= deadlineAt) throw deadlineError(described);
        stats.requests[req.kind] += 1;
        stats.peakConcurrency = Math.max(stats.peakConcurrency, semaphore.active());
        outcome = { response: await send(req, token) };
      } catch (error) {
        if (error instanceof ConfluenceLoaderError) throw error;
        outcome = { error };
      } finally {
        release();
      }

      let failure: ConfluenceLoaderError;
      let reason: string;
      let retryAfterMs: number | undefined;
      if ('response' in outcome) {
        const { response } = outcome;
        if ((response.status >= 200 && response.status < 300) || req.acceptStatus?.includes(response.status)) {
          return toHttpResponse(response, described);
        }
        if (response.status === 401 && token !== undefined && req.auth?.refreshAfterUnauthorized && !refreshedAfter401) {
          refreshedAfter401 = true;
          await req.auth.refreshAfterUnauthorized(token);
          continue;
        }
        failure = errorForResponse({ ...described, status: response.status, body: decode(response.bytes), endpointKind: req.kind });
        if (!RETRYABLE_STATUS.has(response.status) || failure instanceof PayloadTooLargeError || failure instanceof ExportTimeoutError) {
          throw failure;
        }
        reason = String(response.status);
        retryAfterMs = parseRetryAfter(response.headers['retry-after'], now(), settings.retryAfterCapMs);
      } else {
        const { error } = outcome;
        if (req.signal?.aborted) throw error;
        if (error instanceof RequestTimedOut) {
          reason = 'timeout';
          failure = new TimeoutError(`No complete answer within ${formatMs(error.timeoutMs)}: ${limits}.`, { request: described });
        } else {
          reason = errorCode(error) ?? 'network';
          failure = new NetworkError(`The connection failed (${describeNetworkError(error)}).`, { request: described, cause: error });
          if (!isRetryableNetworkError(error)) throw failure;
        }
      }

      if (retry >= settings.retries) {
        throw withAttempts(failure, retry + 1);
      }
      retry += 1;
      const delayMs = retryAfterMs ?? backoffDelay(retry, settings.baseDelayMs, settings.maxDelayMs, random);
      if (now() + delayMs >= deadlineAt) throw deadlineError(described, failure);
      stats.retries += 1;
      options.onRetry?.({ kind: req.kind, method, url: redact(req.url), retry, delayMs, reason });
      await sleep(delayMs);
    }
  }

  return {
    request,
    concurrency,
    stats: () => ({ ...stats, requests: { ...stats.requests } }),
    close: async () => {
      await ownDispatcher?.close();
    },
  };
}

/**
 * Full-jitter exponential backoff: a uniformly random wait in [0, min(max, base × 2^(retry-1))).
 * Spreading retries over the whole window keeps parallel callers from retrying in lockstep.
 */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const window = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * window);
}

/** `Retry-After` in seconds or as an HTTP-date, as milliseconds from `nowMs`, clamped to [0, capMs]. */
export function parseRetryAfter(value: string | undefined, nowMs: number, capMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - nowMs;
  }
  return Math.min(capMs, Math.max(0, Math.ceil(ms)));
}

export function isRetryableNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  if (code && RETRYABLE_CODES.has(code)) return true;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (RETRYABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

/** Marks our own per-request timer firing, as opposed to a caller's abort. */
class RequestTimedOut extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`request timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

function createDispatcher(connections: number): Dispatcher {
  const env = process.env;
  const proxied = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  // One connection per concurrency slot and origin: the semaphore, not the pool, is the limit.
  // HTTP/1.1 only (undici 8 would negotiate HTTP/2, multiplexing every request on one
  // connection), so that `connections` keeps meaning requests in flight, as it is tested.
  const settings = { connections, allowH2: false };
  return proxied ? new EnvHttpProxyAgent(settings) : new Agent(settings);
}

interface Semaphore {
  acquire(): Promise<() => void>;
  active(): number;
}

/** A counting semaphore: `acquire` resolves with a release function once a slot is free. */
export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  return {
    active: () => active,
    acquire: () =>
      new Promise((resolve) => {
        const grant = () => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            release();
          });
        };
        if (active < limit) {
          active += 1;
          grant();
        } else {
          // The slot passes straight from the releaser to this waiter, so `active` stays put.
          waiting.push(grant);
        }
      }),
  };
}

async function readBody(body: AsyncIterable<Uint8Array> & { destroy(): void }, limit: number, req: HttpRequest): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      body.destroy();
      throw new ConfluenceLoaderError(`The response is larger than ${limit} bytes, far above what the API sends.`, {
        request: { method: req.method.toUpperCase(), url: req.url },
        hint: 'Check that CONFLUENCE_EXPORT_URL / CONFLUENCE_API_URL point at Atlassian or a matching stand-in, or raise maxResponseBytes.',
      }, 'RESPONSE_TOO_LARGE', 'ConfluenceLoaderError');
    }
    chunks.push(chunk);
  }
  const buffer = Buffer.concat(chunks);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Streams a body to `target.path` (via a temporary sibling), refusing more than `target.maxBytes`. */
async function writeBody(body: AsyncIterable<Uint8Array> & { destroy(): void }, target: { path: string; maxBytes: number }, req: HttpRequest): Promise<void> {
  await mkdir(dirname(target.path), { recursive: true });
  const temp = `${target.path}.${randomBytes(6).toString('hex')}.tmp`;
  let size = 0;
  const limited = async function* () {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > target.maxBytes) {
        body.destroy();
        throw new ConfluenceLoaderError(`The file is larger than ${target.maxBytes} bytes, the most the loader downloads (maxDownloadBytes).`, {
          request: { method: req.method.toUpperCase(), url: req.url },
          hint: 'Raise the maxDownloadBytes option to download it; until then the page shows a placeholder naming the file.',
        }, 'DOWNLOAD_TOO_LARGE', 'ConfluenceLoaderError');
      }
      yield chunk;
    }
  };
  try {
    await pipeline(limited, createWriteStream(temp));
    await rename(temp, target.path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function toHttpResponse(raw: RawResponse, described: { method: string; url: string }): HttpResponse {
  let text: string | undefined;
  const getText = () => (text ??= decode(raw.bytes));
  return {
    status: raw.status,
    headers: raw.headers,
    bytes: raw.bytes,
    text: getText,
    json<T>(): T {
      try {
        return JSON.parse(getText()) as T;
      } catch (error) {
        throw new ConfluenceLoaderError('The answer is not JSON (a proxy or login page may have answered instead).', {
          request: { ...described, status: raw.status },
          hint: 'Check that CONFLUENCE_EXPORT_URL / CONFLUENCE_API_URL point at Atlassian or a stand-in that matches its API.',
          cause: error,
        }, 'BAD_RESPONSE', 'ConfluenceLoaderError');
      }
    },
  };
}

/** The same error, saying how many attempts were made before giving up. */
function withAttempts(error: ConfluenceLoaderError, attempts: number): ConfluenceLoaderError {
  // The message ends with the request description the constructor appended; it is appended again.
  const message = `${error.message.replace(/ \[[^\]]*\]$/, '')} Gave up after ${attempts} attempts.`;
  const options = { hint: error.hint, request: error.request, cause: error.cause };
  if (error.constructor === ConfluenceLoaderError) {
    return new ConfluenceLoaderError(message, options, error.code, error.name, error.hint);
  }
  const Kind = error.constructor as new (message: string, options: object) => ConfluenceLoaderError;
  return new Kind(message, options);
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = errorCode(e);
    parts.push(code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message);
  }
  return parts.length > 0 ? [...new Set(parts)].join('; ') : String(error);
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const decoder = new TextDecoder();
function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
