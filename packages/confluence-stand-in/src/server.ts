/**
 * The HTTP server: routing, request log, latency, fault injection, and the start() API.
 * Each request is routed to one of four kinds (export, rest, auth, tenant) and handed to the
 * module for that concern; this file only deals with HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  ALL_REST_SCOPES,
  APP_ID,
  CAUSES,
  DEFAULT_CLOUD_ID,
  DEFAULT_OAUTH,
  ENV_IDS,
  EXPORT_SCOPES,
  LIMITS,
  type EnvName,
} from './constants.ts';
import { ADMIN_PREFIX, handleAdmin } from './admin-api.ts';
import { loadDemoSpace } from './demo.ts';
import { exportError, handleExport, type ExportSettings } from './export-api.ts';
import { Faults, type FaultOptions, type PermanentFault, type RequestKind } from './faults.ts';
import { originFor } from './links.ts';
import { OAuthServer, type IssueTokenOptions, type OAuthOptions, type TokenInfo } from './oauth.ts';
import { json, type Reply } from './reply.ts';
import { handleRest } from './rest-api.ts';
import type { SlugCollision } from './slug.ts';
import { Space, type SpaceSpec } from './space.ts';

export interface StartOptions {
  /** 0 (default) picks a free port. The server always listens on 127.0.0.1. */
  port?: number;
  /** Default: the bundled demo space. */
  space?: SpaceSpec | Space;
  cloudId?: string;
  /** The static bearer token's value (default `stand-in-static-token`); it never expires. */
  accessToken?: string;
  /** false: tokens (the static one and OAuth ones) carry no REST scopes, so REST answers 403. */
  restScopes?: boolean;
  oauth?: Partial<OAuthOptions>;
  /** App environments installed on the site (default all three); others answer 403. */
  envs?: EnvName[];
  /** false: the site admin has not enabled App REST APIs; every export call answers 403. */
  appRestApisEnabled?: boolean;
  latency?: Latency;
  faults?: FaultOptions;
  slugCollision?: SlugCollision;
  exportCostMs?: number;
  functionTimeoutMs?: number;
  maxResponseBytes?: number;
  maxAttachmentBytes?: number;
  maxTotalAttachmentBytes?: number;
  /** Host (or origin) absolute links in exported Markdown name; default the stand-in's own `site`. */
  linkSite?: string;
  /** Seeds the scrambled order of REST list results. */
  orderSeed?: number;
  /** Content the search index has not caught up with: left out of CQL and content search results. */
  searchLag?: Iterable<string>;
}

export interface Latency {
  exportMs?: number;
  restMs?: number;
  authMs?: number;
}

export type LogKind = RequestKind | 'other';

export interface LogEntry {
  method: string;
  /** Path and query as requested. */
  path: string;
  pathname: string;
  query: Record<string, string>;
  /** Parsed JSON body (POST), or undefined. */
  body: unknown;
  /** 0 when the connection was dropped on purpose. */
  status: number;
  kind: LogKind;
  /** Epoch ms when the request arrived. */
  time: number;
  durationMs: number;
  /** Set when the answer came from fault injection ('transient' or 'permanent'). */
  fault?: 'transient' | 'permanent';
  /** For exports: the app environment addressed. */
  env?: EnvName;
  /** For export answers: the ids of the pages whose Markdown the answer held. */
  exported?: string[];
  /** Set when a test's interceptor answered instead of the stand-in. */
  intercepted?: boolean;
}

/** What an interceptor sees of a request (after authentication). */
export interface InterceptedRequest {
  method: string;
  kind: RequestKind;
  /** Path and query as requested. */
  path: string;
  pathname: string;
  query: URLSearchParams;
  body: unknown;
}

/**
 * A test's stand-in for the stand-in: answers a request itself (a lying or malformed answer, a
 * cursor that loops) or returns undefined to let the stand-in answer. `'drop'` closes the connection.
 */
export type Interceptor = (request: InterceptedRequest) => Reply | 'drop' | undefined;

export interface Counters {
  requests: number;
  export: number;
  bulkExport: number;
  singleExport: number;
  rest: number;
  spaces: number;
  pages: number;
  labels: number;
  search: number;
  restrictions: number;
  folders: number;
  attachments: number;
  downloads: number;
  auth: number;
  token: number;
  authorize: number;
  tenant: number;
  faults: number;
  [name: string]: number;
}

export interface StandIn {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** `127.0.0.1:PORT`: what CONFLUENCE_SITE holds to reach `http://{site}/_edge/tenant_info`. */
  site: string;
  cloudId: string;
  /** Production app API base (the part before `/bulkExport`). */
  exportUrl: string;
  /** The app API base for each environment, `/svc/confluence/{cloudId}/…` form. */
  exportUrls: Record<EnvName, string>;
  /** The `/gateway/api/svc/confluence/apps/…` form for an environment (default production). */
  gatewayExportUrl: (env?: EnvName) => string;
  /** `${url}/ex/confluence/${cloudId}`: the part before `/wiki/...`. */
  apiUrl: string;
  /** `${url}/oauth/token` */
  authUrl: string;
  /** `${url}/authorize` */
  authorizeUrl: string;
  /** A valid, never-expiring bearer token. */
  accessToken: string;
  /** The OAuth client and the refresh token valid at start. */
  oauth: OAuthOptions;
  space: Space;
  settings: ExportSettings;
  /** Ids the search index lags behind on (see StartOptions.searchLag); tests may change it. */
  searchLag: Set<string>;
  log: LogEntry[];
  counters: Counters;
  resetLog: () => void;
  setLatency: (latency: Latency) => void;
  setFaults: (faults: FaultOptions) => void;
  failAlways: (rule: PermanentFault) => () => void;
  clearFaults: () => void;
  /** Issues an access token (e.g. without REST scopes, already expired, bound to an env). */
  issueToken: (options?: IssueTokenOptions) => string;
  /** Expires every access token issued so far, the static one included. */
  expireTokens: () => void;
  /** Adds an interceptor consulted before each REST or export answer; returns a function removing it. */
  intercept: (interceptor: Interceptor) => () => void;
  /** Every page id any export answer held so far (from the log). */
  exportedPageIds: () => string[];
  isRefreshTokenValid: (token: string) => boolean;
  stop: () => Promise<void>;
}

const ENV_BY_ID = new Map<string, EnvName>(Object.entries(ENV_IDS).map(([name, id]) => [id, name as EnvName]));

function newCounters(): Counters {
  return {
    requests: 0,
    export: 0,
    bulkExport: 0,
    singleExport: 0,
    rest: 0,
    spaces: 0,
    pages: 0,
    labels: 0,
    search: 0,
    restrictions: 0,
    folders: 0,
    attachments: 0,
    downloads: 0,
    auth: 0,
    token: 0,
    authorize: 0,
    tenant: 0,
    faults: 0,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function start(options: StartOptions = {}): Promise<StandIn> {
  const space =
    options.space instanceof Space ? options.space : new Space(options.space ?? (await loadDemoSpace()));
  const cloudId = options.cloudId ?? DEFAULT_CLOUD_ID;
  const restScopes = options.restScopes ?? true;
  const grantedScopes = [...EXPORT_SCOPES, ...(restScopes ? ALL_REST_SCOPES : [])];
  const oauthOptions: OAuthOptions = { ...DEFAULT_OAUTH, ...options.oauth };
  const oauth = new OAuthServer(oauthOptions, grantedScopes);
  const accessToken = options.accessToken ?? 'stand-in-static-token';
  oauth.registerAccessToken(accessToken, { scopes: new Set(grantedScopes), expiresAt: Number.POSITIVE_INFINITY });
  const envs = new Set<EnvName>(options.envs ?? ['production', 'staging', 'development']);
  const faults = new Faults();
  if (options.faults) faults.set(options.faults);
  let latency: Latency = { ...options.latency };
  const log: LogEntry[] = [];
  const counters = newCounters();
  const count = (name: string) => {
    counters[name] = (counters[name] ?? 0) + 1;
  };
  const settings: ExportSettings = {
    slugCollision: options.slugCollision ?? 'suffix',
    maxAttachmentBytes: options.maxAttachmentBytes ?? LIMITS.maxAttachmentBytes,
    maxTotalAttachmentBytes: options.maxTotalAttachmentBytes ?? LIMITS.maxTotalAttachmentBytes,
    maxResponseBytes: options.maxResponseBytes ?? LIMITS.maxResponseBytes,
    exportCostMs: options.exportCostMs ?? 0,
    functionTimeoutMs: options.functionTimeoutMs ?? LIMITS.functionTimeoutMs,
    linkOrigin: '', // set once the port is known
  };
  const orderSeed = options.orderSeed ?? 7;
  const searchLag = new Set(options.searchLag ?? []);
  const sockets = new Set<Socket>();
  const interceptors: Interceptor[] = [];
  let apiUrl = '';
  let url = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, json(500, { success: false, error: 'INTERNAL_ERROR', message: String(err) }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = Date.now();
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const entry: LogEntry = {
      method,
      path: target.pathname + target.search,
      pathname: target.pathname,
      query: Object.fromEntries(target.searchParams),
      body: undefined,
      status: 0,
      kind: 'other',
      time,
      durationMs: 0,
    };
    log.push(entry);
    count('requests');
    const finish = (reply: Reply | 'drop') => {
      entry.durationMs = Date.now() - time;
      if (reply === 'drop') {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      entry.status = reply.status;
      if (reply.exported) entry.exported = reply.exported;
      send(res, reply);
    };

    if (target.pathname.startsWith(ADMIN_PREFIX)) {
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        return finish(json(400, { message: 'Request body is not valid JSON' }));
      }
      return finish(handleAdmin(space, method, target.pathname, target.searchParams, body));
    }
    const route = routeOf(target.pathname, method);
    entry.kind = route.kind;
    if (route.kind === 'other') return finish(json(404, { message: `No stand-in route for ${method} ${target.pathname}` }));
    count(route.kind);

    let body: unknown;
    if (raw.length) {
      const text = raw.toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      try {
        body = type.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
      } catch {
        entry.body = text;
        return finish(
          route.kind === 'export'
            ? exportError(400, 'BAD_REQUEST', 'Request body is not valid JSON')
            : json(400, { error: 'invalid_request', message: 'Request body is not valid JSON' }),
        );
      }
    }
    entry.body = body;
    if (route.kind === 'export') entry.env = route.env;

    const delay = route.kind === 'export' ? latency.exportMs : route.kind === 'rest' ? latency.restMs : route.kind === 'auth' ? latency.authMs : 0;
    if (delay) await sleep(delay);

    const fault = faults.decide(route.kind);
    if (fault.type !== 'none') {
      count('faults');
      entry.fault = 'transient';
      if (fault.type === 'drop') return finish('drop');
      return finish(transientReply(route.kind, fault.status, fault.retryAfter));
    }

    const intercepted = (): Reply | 'drop' | undefined => {
      for (const interceptor of interceptors) {
        const answer = interceptor({ method, kind: route.kind as RequestKind, path: entry.path, pathname: target.pathname, query: target.searchParams, body });
        if (answer !== undefined) {
          entry.intercepted = true;
          return answer;
        }
      }
      return undefined;
    };

    const permanent = (pageIds: string[]): Reply | undefined => {
      const hit = faults.permanentFor({ kind: route.kind as RequestKind, method, path: entry.path, body, pageIds });
      if (!hit) return undefined;
      count('faults');
      entry.fault = 'permanent';
      return route.kind === 'export'
        ? exportError(hit.status, 'INJECTED_FAILURE', hit.message ?? (hit.status === 500 ? CAUSES[500] : `Injected failure ${hit.status}`))
        : json(hit.status, { statusCode: hit.status, message: hit.message ?? `Injected failure ${hit.status}` });
    };

    switch (route.kind) {
      case 'tenant':
        return finish(permanent([]) ?? json(200, { cloudId }));
      case 'auth': {
        const p = permanent([]);
        if (p) return finish(p);
        if (route.op === 'authorize') {
          count('authorize');
          const r = oauth.authorize(target.searchParams);
          return finish(r.location ? { status: r.status, headers: { location: r.location } } : { status: r.status, json: r.json });
        }
        count('token');
        if (method !== 'POST') return finish(json(405, { error: 'invalid_request', error_description: 'POST required' }));
        const r = oauth.token(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});
        return finish({ status: r.status, json: r.json });
      }
      case 'rest': {
        if (route.cloudId !== undefined && route.cloudId !== cloudId) {
          return finish(json(404, { message: `Unknown cloud id ${route.cloudId}` }));
        }
        const token = oauth.check(req.headers.authorization);
        if (!token.ok) {
          return finish(json(401, { code: 401, message: `Unauthorized; ${token.reason === 'expired' ? 'token expired' : token.reason === 'missing' ? 'no bearer token' : 'invalid token'}` }, { 'www-authenticate': 'Bearer' }));
        }
        const lie = intercepted();
        if (lie) return finish(lie);
        const reply = handleRest({ space, apiUrl, orderSeed, token: token.info, count, searchLag }, method, route.subpath, target.searchParams);
        return finish(permanent(reply.pageIds ?? []) ?? reply);
      }
      case 'export': {
        if (route.cloudId !== undefined && route.cloudId !== cloudId) {
          return finish(exportError(404, 'NOT_FOUND', `Unknown cloud id ${route.cloudId}`));
        }
        const token = oauth.check(req.headers.authorization);
        if (!token.ok) {
          const why = token.reason === 'expired' ? 'the access token has expired' : token.reason === 'missing' ? 'no bearer token was sent' : 'the access token is not valid';
          return finish(exportError(401, 'UNAUTHORIZED', `${CAUSES[401]}: ${why}`));
        }
        const missing = EXPORT_SCOPES.filter((s) => !token.info.scopes.has(s));
        if (missing.length) {
          return finish(exportError(401, 'UNAUTHORIZED', `${CAUSES[401]}: the token lacks the scope ${missing.join(', ')}`));
        }
        const forbidden = envProblem(route.appEnv, token.info);
        if (forbidden) return finish(exportError(403, 'FORBIDDEN', `${CAUSES[403]}: ${forbidden}`));
        if (method !== 'POST') return finish(exportError(405, 'METHOD_NOT_ALLOWED', 'Use POST'));
        const lie = intercepted();
        if (lie) return finish(lie);
        const reply = await handleExport({ space, settings, permanentFault: permanent, sleep, count }, route.op, body);
        return finish(reply);
      }
    }
  }

  function envProblem(appEnv: string, token: TokenInfo): string | undefined {
    const sep = appEnv.indexOf('_');
    const appId = appEnv.slice(0, sep);
    const env = ENV_BY_ID.get(appEnv.slice(sep + 1));
    if (sep < 0 || appId !== APP_ID) return `unknown app id in ${appEnv}`;
    if (!env) return `unknown environment id in ${appEnv}`;
    if (options.appRestApisEnabled === false) return 'App REST APIs are not enabled on this site';
    if (!envs.has(env)) return `the app's ${env} environment is not installed on this site`;
    if (token.env && token.env !== env) return `the token's integration is connected to ${token.env}, not ${env}`;
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  const site = `127.0.0.1:${port}`;
  apiUrl = `${url}/ex/confluence/${cloudId}`;
  settings.linkOrigin = originFor(options.linkSite ?? site);
  const exportUrls = Object.fromEntries(
    (Object.keys(ENV_IDS) as EnvName[]).map((env) => [env, `${url}/svc/confluence/${cloudId}/apps/${APP_ID}_${ENV_IDS[env]}`]),
  ) as Record<EnvName, string>;

  return {
    url,
    port,
    site,
    cloudId,
    exportUrl: exportUrls.production,
    exportUrls,
    gatewayExportUrl: (env: EnvName = 'production') => `${url}/gateway/api/svc/confluence/apps/${APP_ID}_${ENV_IDS[env]}`,
    apiUrl,
    authUrl: `${url}/oauth/token`,
    authorizeUrl: `${url}/authorize`,
    accessToken,
    oauth: oauthOptions,
    space,
    settings,
    searchLag,
    log,
    counters,
    resetLog: () => {
      log.length = 0;
      for (const k of Object.keys(counters)) counters[k] = 0;
    },
    setLatency: (l) => {
      latency = { ...latency, ...l };
    },
    setFaults: (f) => faults.set(f),
    failAlways: (rule) => faults.failAlways(rule),
    clearFaults: () => faults.clear(),
    issueToken: (o = {}) => oauth.issueAccessToken({ scopes: o.scopes ?? grantedScopes, ...o }),
    expireTokens: () => oauth.expireAll(),
    intercept: (interceptor) => {
      interceptors.push(interceptor);
      return () => {
        const at = interceptors.indexOf(interceptor);
        if (at >= 0) interceptors.splice(at, 1);
      };
    },
    exportedPageIds: () => log.flatMap((e) => e.exported ?? []),
    isRefreshTokenValid: (t) => oauth.isRefreshTokenValid(t),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

type Route =
  | { kind: 'other' }
  | { kind: 'tenant' }
  | { kind: 'auth'; op: 'token' | 'authorize' }
  | { kind: 'rest'; cloudId?: string; subpath: string }
  | { kind: 'export'; cloudId?: string; appEnv: string; env?: EnvName; op: string };

function routeOf(pathname: string, method: string): Route {
  let m: RegExpExecArray | null;
  if (pathname === '/_edge/tenant_info' && method === 'GET') return { kind: 'tenant' };
  if (pathname === '/oauth/token') return { kind: 'auth', op: 'token' };
  if (pathname === '/authorize' && method === 'GET') return { kind: 'auth', op: 'authorize' };
  if ((m = /^\/svc\/confluence\/([^/]+)\/apps\/([^/]+)\/([^/]+)\/?$/.exec(pathname))) {
    return { kind: 'export', cloudId: m[1], appEnv: m[2]!, env: envOf(m[2]!), op: m[3]! };
  }
  if ((m = /^\/gateway\/api\/svc\/confluence\/apps\/([^/]+)\/([^/]+)\/?$/.exec(pathname))) {
    return { kind: 'export', appEnv: m[1]!, env: envOf(m[1]!), op: m[2]! };
  }
  if ((m = /^\/ex\/confluence\/([^/]+)\/wiki(\/.*)$/.exec(pathname))) return { kind: 'rest', cloudId: m[1], subpath: m[2]! };
  if ((m = /^\/wiki(\/.*)$/.exec(pathname))) return { kind: 'rest', subpath: m[1]! };
  return { kind: 'other' };
}

function envOf(appEnv: string): EnvName | undefined {
  return ENV_BY_ID.get(appEnv.slice(appEnv.indexOf('_') + 1));
}

const TRANSIENT_TEXT: Record<number, string> = {
  429: 'Rate limit exceeded',
  500: CAUSES[500],
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

function transientReply(kind: RequestKind, status: number, retryAfter: string | undefined): Reply {
  const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': retryAfter } : {};
  const message = TRANSIENT_TEXT[status] ?? `Injected failure ${status}`;
  const body = kind === 'export' ? { success: false, error: 'TRANSIENT', message } : { statusCode: status, message };
  return { status, json: body, headers };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.bytes !== undefined) {
    headers['content-length'] = String(reply.bytes.byteLength);
    res.writeHead(reply.status, headers);
    res.end(reply.bytes);
    return;
  }
  if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  else headers['content-length'] = '0';
  res.writeHead(reply.status, headers);
  res.end(payload);
}
