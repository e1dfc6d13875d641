/**
 * The Confluence Cloud REST subset of contract.md §3, answering like Confluence does in the ways
 * the loader depends on: cursor pagination with `_links.next` and a `Link` header, results in an
 * order that means nothing (sibling order is only in `position`), per-endpoint scopes.
 */
import { REST_SCOPES } from './constants.ts';
import { CqlError, matchesCql, parseCql } from './cql.ts';
import { json, type Reply } from './reply.ts';
import { hash32 } from './rng.ts';
import type { Page, Space } from './space.ts';
import { tinyLinkCode } from './tiny-link.ts';
import type { TokenInfo } from './oauth.ts';

export interface RestContext {
  space: Space;
  /** The REST base the loader was given (`…/ex/confluence/{cloudId}`), for `_links.base`. */
  apiUrl: string;
  /** Seeds the meaningless-but-stable order of list results. */
  orderSeed: number;
  token: TokenInfo;
  count: (name: string) => void;
  /** Ids the search index has not caught up with: missing from search results. */
  searchLag: ReadonlySet<string>;
}

const V2_MAX_LIMIT = 250;
const SEARCH_MAX_LIMIT = 100;
/** Content search with restriction and label expansions: up to 100 a call, the most the loader asks for. */
const CONTENT_SEARCH_MAX_LIMIT = 100;
const DEFAULT_LIMIT = 25;

/** `subpath` is everything after `/wiki`, e.g. `/api/v2/pages/123`. */
export function handleRest(ctx: RestContext, method: string, subpath: string, query: URLSearchParams): Reply {
  if (method !== 'GET') return v2Error(405, 'Method Not Allowed');
  let m: RegExpExecArray | null;
  if (subpath === '/api/v2/spaces') return guarded(ctx, 'spaces', () => listSpaces(ctx, query));
  if ((m = /^\/api\/v2\/spaces\/([^/]+)\/pages$/.exec(subpath))) {
    return guarded(ctx, 'pages', () => listPages(ctx, decodeURIComponent(m![1]!), query, subpath));
  }
  if ((m = /^\/api\/v2\/spaces\/([^/]+)$/.exec(subpath))) {
    return guarded(ctx, 'spaces', () => getSpace(ctx, decodeURIComponent(m![1]!)));
  }
  if ((m = /^\/api\/v2\/pages\/([^/]+)\/labels$/.exec(subpath))) {
    return guarded(ctx, 'labels', () => listLabels(ctx, m![1]!, query, subpath), [m[1]!]);
  }
  if ((m = /^\/api\/v2\/pages\/([^/]+)$/.exec(subpath))) {
    return guarded(ctx, 'pages', () => getPage(ctx, m![1]!), [m[1]!]);
  }
  if ((m = /^\/api\/v2\/folders\/([^/]+)$/.exec(subpath))) {
    return guarded(ctx, 'folders', () => getFolder(ctx, m![1]!), [m[1]!]);
  }
  if ((m = /^\/api\/v2\/pages\/([^/]+)\/attachments$/.exec(subpath))) {
    return guarded(ctx, 'attachments', () => listAttachments(ctx, m![1]!, query, subpath), [m[1]!]);
  }
  if ((m = /^\/download\/attachments\/(\d+)\/([^/?]+)$/.exec(subpath))) {
    ctx.count('downloads');
    return guarded(ctx, 'attachments', () => download(ctx, m![1]!, decodeURIComponent(m![2]!)), [m[1]!]);
  }
  if (subpath === '/rest/api/search') return guarded(ctx, 'search', () => search(ctx, query));
  if (subpath === '/rest/api/content/search') {
    // Reading restrictions through the search needs the restrictions scope as well.
    const expand = query.get('expand') ?? '';
    const extra = /restrictions/.test(expand) ? ['restrictions' as const] : [];
    return guarded(ctx, 'search', () => contentSearch(ctx, query), undefined, extra);
  }
  if ((m = /^\/rest\/api\/content\/([^/]+)\/restriction\/byOperation\/read$/.exec(subpath))) {
    return guarded(ctx, 'restrictions', () => readRestrictions(ctx, m![1]!), [m[1]!]);
  }
  return v2Error(404, `No stand-in route for GET /wiki${subpath}`);
}

function guarded(ctx: RestContext, family: keyof typeof REST_SCOPES, run: () => Reply, pageIds?: string[], also: (keyof typeof REST_SCOPES)[] = []): Reply {
  ctx.count(family);
  for (const scope of [REST_SCOPES[family], ...also.map((f) => REST_SCOPES[f])]) {
    if (!ctx.token.scopes.has(scope)) {
      return { ...v2Error(403, `Forbidden; scope does not match. This endpoint requires the scope ${scope}.`), pageIds };
    }
  }
  return { ...run(), pageIds };
}

function v2Error(status: number, detail: string): Reply {
  const title = status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : 'Error';
  return json(status, { errors: [{ status, code: title.toUpperCase().replace(/ /g, '_'), title, detail }], message: detail });
}

function v1Error(status: number, message: string): Reply {
  return json(status, { statusCode: status, data: { authorized: status !== 403, valid: false, errors: [] }, message });
}

function parseLimit(query: URLSearchParams, max: number): number | Reply {
  const raw = query.get('limit');
  if (raw === null) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return v2Error(400, `Invalid limit: ${raw}`);
  return Math.min(n, max);
}

/** Cursors are opaque to clients; inside they hold the sort key of the last item returned. */
function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64');
}

function decodeCursor(cursor: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    return typeof v?.after === 'string' ? v.after : undefined;
  } catch {
    return undefined;
  }
}

/** Scrambled but stable: hash of seed and id, so REST order never reveals positions or ids. */
function sortKey(seed: number, id: string): string {
  return `${hash32(`${seed}:${id}`).toString(16).padStart(8, '0')}:${id.padStart(20, '0')}`;
}

interface Paged<T> {
  items: T[];
  next?: string;
}

function paginate<T>(
  items: T[],
  keyOf: (t: T) => string,
  query: URLSearchParams,
  limit: number,
): Paged<T> | Reply {
  const sorted = items.map((t) => ({ t, k: keyOf(t) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return pageOf(sorted, () => true, query, limit);
}

/**
 * Every page and folder of the space in one listing's scrambled order, kept until a page is added or
 * deleted. A real Confluence answers a page of a listing from an index, at a cost that does not
 * grow with the space; sorting the whole space on every call made a no-change sync of a large
 * space measure the stand-in instead of the loader.
 */
const orders = new WeakMap<Space, Map<number, { membership: number; sorted: { t: Page; k: string }[] }>>();
function orderOf(space: Space, seed: number): { t: Page; k: string }[] {
  let bySeed = orders.get(space);
  if (!bySeed) orders.set(space, (bySeed = new Map()));
  const cached = bySeed.get(seed);
  if (cached && cached.membership === space.membership) return cached.sorted;
  const sorted = space.all().map((t) => ({ t, k: sortKey(seed, t.id) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  bySeed.set(seed, { membership: space.membership, sorted });
  return sorted;
}

/** The space's pages and folders that pass `keep`, a page at a time in the listing's order for `seed`. */
function paginateSpace(space: Space, seed: number, keep: (p: Page) => boolean, query: URLSearchParams, limit: number): Paged<Page> | Reply {
  return pageOf(orderOf(space, seed), keep, query, limit);
}

/** One page of a sorted list: the first `limit` items after the cursor that pass `keep`. */
function pageOf<T>(sorted: { t: T; k: string }[], keep: (t: T) => boolean, query: URLSearchParams, limit: number): Paged<T> | Reply {
  const cursor = query.get('cursor');
  let start = 0;
  if (cursor !== null) {
    const after = decodeCursor(cursor);
    if (after === undefined) return v2Error(400, 'Invalid cursor');
    // The first key after the cursor's, by bisection: keys are unique and sorted.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]!.k > after) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const slice: { t: T; k: string }[] = [];
  let i = start;
  for (; i < sorted.length && slice.length < limit; i++) if (keep(sorted[i]!.t)) slice.push(sorted[i]!);
  let more = false;
  for (; i < sorted.length && !more; i++) more = keep(sorted[i]!.t);
  return { items: slice.map((x) => x.t), next: more ? encodeCursor(slice[slice.length - 1]!.k) : undefined };
}

function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x;
}

/** The next-page link keeps the caller's parameters, with the new cursor. */
function nextLink(path: string, query: URLSearchParams, cursor: string, limit: number): string {
  const q = new URLSearchParams(query);
  q.set('cursor', cursor);
  q.set('limit', String(limit));
  return `${path}?${q.toString()}`;
}

function withNext(body: Record<string, unknown>, ctx: RestContext, next: string | undefined): Reply {
  const links: Record<string, string> = { base: `${ctx.apiUrl}/wiki` };
  const headers: Record<string, string> = {};
  if (next) {
    links.next = next;
    headers.link = `<${next}>; rel="next"`;
  }
  return json(200, { ...body, _links: links }, headers);
}

function spaceJson(space: Space) {
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: 'global',
    status: 'current',
    homepageId: space.homepageId ?? null,
    _links: { webui: `/spaces/${space.key}` },
  };
}

function listSpaces(ctx: RestContext, query: URLSearchParams): Reply {
  const keys = query.getAll('keys').flatMap((k) => k.split(',')).filter(Boolean);
  const match = keys.length === 0 || keys.includes(ctx.space.key);
  return withNext({ results: match ? [spaceJson(ctx.space)] : [] }, ctx, undefined);
}

function getSpace(ctx: RestContext, id: string): Reply {
  if (id !== ctx.space.id) return v2Error(404, `No space with id ${id}`);
  return json(200, spaceJson(ctx.space));
}

export function pageJson(space: Space, p: Page) {
  const parent = p.parentId !== undefined ? { parentId: p.parentId, parentType: space.get(p.parentId)?.kind ?? 'page' } : {};
  return {
    id: p.id,
    status: 'current',
    title: p.title,
    spaceId: space.id,
    ...parent,
    position: p.position,
    authorId: 'stand-in-author',
    ownerId: 'stand-in-author',
    version: {
      number: p.version.number,
      message: '',
      minorEdit: false,
      authorId: 'stand-in-author',
      createdAt: p.version.createdAt,
    },
    _links: {
      webui: `/spaces/${space.key}/pages/${p.id}/${encodeURIComponent(p.title).replace(/%20/g, '+')}`,
      editui: `/pages/resumedraft.action?draftId=${p.id}`,
      tinyui: `/x/${tinyLinkCode(p.id)}`,
    },
  };
}

function listPages(ctx: RestContext, spaceId: string, query: URLSearchParams, subpath: string): Reply {
  if (spaceId !== ctx.space.id) return v2Error(404, `No space with id ${spaceId}`);
  const limit = parseLimit(query, V2_MAX_LIMIT);
  if (isReply(limit)) return limit;
  const status = query.get('status');
  const depth = query.get('depth') ?? 'all';
  const current = !status || status.split(',').includes('current');
  const page = paginateSpace(ctx.space, ctx.orderSeed, (p) => current && p.kind === 'page' && (depth !== 'root' || p.parentId === undefined), query, limit);
  if (isReply(page)) return page;
  const next = page.next ? nextLink(`/wiki${subpath}`, query, page.next, limit) : undefined;
  return withNext({ results: page.items.map((p) => pageJson(ctx.space, p)) }, ctx, next);
}

function getPage(ctx: RestContext, id: string): Reply {
  const p = ctx.space.get(id);
  if (!p || p.kind !== 'page') return v2Error(404, `No page with id ${id}`);
  return json(200, pageJson(ctx.space, p));
}

function getFolder(ctx: RestContext, id: string): Reply {
  const f = ctx.space.get(id);
  if (!f || f.kind !== 'folder') return v2Error(404, `No folder with id ${id}`);
  const parent = f.parentId !== undefined ? { parentId: f.parentId, parentType: ctx.space.get(f.parentId)?.kind ?? 'page' } : {};
  return json(200, {
    id: f.id,
    type: 'folder',
    status: 'current',
    title: f.title,
    spaceId: ctx.space.id,
    ...parent,
    position: f.position,
    authorId: 'stand-in-author',
    ownerId: 'stand-in-author',
    createdAt: f.version.createdAt,
    version: { number: f.version.number, createdAt: f.version.createdAt },
  });
}

function listLabels(ctx: RestContext, id: string, query: URLSearchParams, subpath: string): Reply {
  const p = ctx.space.get(id);
  if (!p) return v2Error(404, `No page with id ${id}`);
  const limit = parseLimit(query, V2_MAX_LIMIT);
  if (isReply(limit)) return limit;
  const labels = p.labels.map((name) => ({ id: String(hash32(`label:${name}`)), name, prefix: 'global' }));
  // Labels come back in name order, like Confluence; the cursor is the last name returned.
  const page = paginate(labels, (l) => l.name, query, limit);
  if (isReply(page)) return page;
  const next = page.next ? nextLink(`/wiki${subpath}`, query, page.next, limit) : undefined;
  return withNext({ results: page.items }, ctx, next);
}

/** A page's attachments as v2 lists them; `downloadLink` is relative to `/wiki`. */
function listAttachments(ctx: RestContext, id: string, query: URLSearchParams, subpath: string): Reply {
  const p = ctx.space.get(id);
  if (!p || p.kind !== 'page') return v2Error(404, `No page with id ${id}`);
  const limit = parseLimit(query, V2_MAX_LIMIT);
  if (isReply(limit)) return limit;
  const items = p.attachments.map((a) => ({
    id: `att${hash32(`${p.id}:${a.fileName}`)}`,
    status: 'current',
    title: a.fileName,
    mediaType: a.mediaType,
    fileSize: a.data.byteLength,
    pageId: p.id,
    downloadLink: `/download/attachments/${p.id}/${encodeURIComponent(a.fileName)}?version=1&modificationDate=1700000000000&api=v2`,
  }));
  const page = paginate(items, (a) => a.title, query, limit);
  if (isReply(page)) return page;
  const next = page.next ? nextLink(`/wiki${subpath}`, query, page.next, limit) : undefined;
  return withNext({ results: page.items }, ctx, next);
}

/** The file itself, as `{apiUrl}/wiki{downloadLink}` serves it. */
function download(ctx: RestContext, pageId: string, fileName: string): Reply {
  const file = ctx.space.get(pageId)?.attachments.find((a) => a.fileName === fileName);
  if (!file) return v2Error(404, `No attachment ${fileName} on page ${pageId}`);
  return { status: 200, bytes: file.data, headers: { 'content-type': file.mediaType } };
}

/** The `cql` parameter of a v1 search and its clauses, or the 400 Confluence answers for a missing or bad one. */
function cqlOf(query: URLSearchParams): { cql: string; clauses: ReturnType<typeof parseCql> } | Reply {
  const cql = query.get('cql');
  if (!cql) return v1Error(400, 'The cql parameter is required');
  try {
    return { cql, clauses: parseCql(cql) };
  } catch (e) {
    if (e instanceof CqlError) return v1Error(400, e.message);
    throw e;
  }
}

/** Whether content matches the CQL as the search index sees it (pages it lags behind are missing). */
function cqlHit(ctx: RestContext, clauses: ReturnType<typeof parseCql>): (p: Page) => boolean {
  return (p) => !ctx.searchLag.has(p.id) && matchesCql(clauses, { spaceKey: ctx.space.key, type: p.kind, labels: p.labels });
}

function search(ctx: RestContext, query: URLSearchParams): Reply {
  const parsed = cqlOf(query);
  if (isReply(parsed)) return parsed;
  const { cql, clauses } = parsed;
  const limit = parseLimit(query, SEARCH_MAX_LIMIT);
  if (isReply(limit)) return limit;
  const space = ctx.space;
  const hit = cqlHit(ctx, clauses);
  const page = paginateSpace(space, ctx.orderSeed + 1, hit, query, limit);
  if (isReply(page)) return page;
  const base = `${ctx.apiUrl}/wiki`;
  const links: Record<string, string> = { base, context: '/wiki', self: `${base}/rest/api/search` };
  if (page.next) {
    const q = new URLSearchParams({ cql, limit: String(limit), cursor: page.next });
    links.next = `/rest/api/search?${q.toString()}`;
  }
  const results = page.items.map((p) => {
    const pj = pageJson(space, p);
    return {
      content: { id: p.id, type: 'page', status: 'current', title: p.title, _links: { webui: pj._links.webui, tinyui: pj._links.tinyui } },
      title: p.title,
      excerpt: '',
      url: pj._links.webui,
      entityType: 'content',
      lastModified: p.version.createdAt,
    };
  });
  const headers: Record<string, string> = links.next ? { link: `<${links.next}>; rel="next"` } : {};
  return json(
    200,
    { results, start: 0, limit, size: results.length, totalSize: space.all().filter(hit).length, cqlQuery: cql, _links: links },
    headers,
  );
}

/** A page's own read restriction as v1 writes it: inheritance is the caller's to work out. */
function restrictionLists(p: Page) {
  const users = (p.restricted?.users ?? []).map((u) => ({
    type: 'known',
    accountId: u,
    accountType: 'atlassian',
    displayName: u,
    publicName: u,
  }));
  const groups = (p.restricted?.groups ?? []).map((g) => ({ type: 'group', name: g, id: String(hash32(`group:${g}`)) }));
  return {
    user: { results: users, start: 0, limit: 200, size: users.length },
    group: { results: groups, start: 0, limit: 200, size: groups.length },
  };
}

function readRestrictions(ctx: RestContext, id: string): Reply {
  const p = ctx.space.get(id);
  if (!p) return v1Error(404, `No content found with id: ContentId{id=${id}}`);
  const base = `${ctx.apiUrl}/wiki`;
  return json(200, {
    operation: 'read',
    restrictions: restrictionLists(p),
    _links: { base, context: '/wiki', self: `${base}/rest/api/content/${id}/restriction/byOperation/read` },
  });
}

/**
 * v1 content search: content matching the CQL, with the expansions asked for. The loader asks
 * for `restrictions.read.restrictions.user`, `…group` and `metadata.labels`: each result's own
 * read restrictions and labels, up to CONTENT_SEARCH_MAX_LIMIT pages a call.
 */
function contentSearch(ctx: RestContext, query: URLSearchParams): Reply {
  const parsed = cqlOf(query);
  if (isReply(parsed)) return parsed;
  const { cql, clauses } = parsed;
  const limit = parseLimit(query, CONTENT_SEARCH_MAX_LIMIT);
  if (isReply(limit)) return limit;
  const expand = new Set((query.get('expand') ?? '').split(',').map((e) => e.trim()).filter(Boolean));
  const space = ctx.space;
  const page = paginateSpace(space, ctx.orderSeed + 2, cqlHit(ctx, clauses), query, limit);
  if (isReply(page)) return page;
  const base = `${ctx.apiUrl}/wiki`;
  const results = page.items.map((p) => {
    const item: Record<string, unknown> = { id: p.id, type: p.kind, status: 'current', title: p.title };
    const lists = restrictionLists(p);
    if (expand.has('restrictions.read.restrictions.user') || expand.has('restrictions.read.restrictions.group')) {
      const read: Record<string, unknown> = {};
      if (expand.has('restrictions.read.restrictions.user')) read.user = lists.user;
      if (expand.has('restrictions.read.restrictions.group')) read.group = lists.group;
      item.restrictions = { read: { operation: 'read', restrictions: read } };
    }
    if (expand.has('metadata.labels')) {
      const labels = p.labels.map((name) => ({ prefix: 'global', name, id: String(hash32(`label:${name}`)), label: name }));
      item.metadata = { labels: { results: labels, start: 0, limit: 200, size: labels.length } };
    }
    item._links = { webui: pageJson(space, p)._links.webui };
    return item;
  });
  const links: Record<string, string> = { base, context: '/wiki', self: `${base}/rest/api/content/search` };
  if (page.next) {
    const q = new URLSearchParams(query);
    q.set('cursor', page.next);
    q.set('limit', String(limit));
    links.next = `/rest/api/content/search?${q.toString()}`;
  }
  return json(200, { results, start: 0, limit, size: results.length, _links: links });
}
