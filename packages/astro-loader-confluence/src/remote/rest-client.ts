/**
 * The subset of Confluence Cloud REST the loader uses (contract.md §3): the space, its page tree
 * and folders, labels, read restrictions, and the content search that returns the restrictions and
 * labels of many pages a call. Every answer is checked against its schema (schemas.ts); a listing is
 * followed to its end and refused when its cursor repeats or it never ends. A 401 or 403 is a
 * RestScopeError: whether the loader can do without REST is decided once, up front (live
 * discovery), never from a failure half-way.
 */
import { NotFoundError, UntrustedTreeError } from '../errors.ts';
import type { ConfluencePage } from '../types.ts';
import type { HttpClient, TokenProvider } from './http-client.ts';
import {
  attachmentListingSchema,
  cqlSearchSchema,
  contentSearchSchema,
  folderSchema,
  labelListingSchema,
  pageListingSchema,
  parseAnswer,
  readRestrictionSchema,
  spacesByKeySchema,
  v2PageSchema,
  type AttachmentInfo,
  type V2Folder,
  type V2Page,
} from './schemas.ts';
import type { z } from 'zod';

export interface RestClientOptions {
  http: Pick<HttpClient, 'request'>;
  auth: TokenProvider;
  /** The REST base, the part before `/wiki/...` (see endpoints.ts). */
  apiUrl: string;
  /** Most requests one listing may take before it is refused as endless. Default {@link MAX_LISTING_REQUESTS}. */
  maxListingRequests?: number;
}

export interface ConfluenceSpace {
  id: string;
  key: string;
  name?: string;
  homepageId?: string;
}

/** What a content search says of one page or folder: its own read restriction and its labels. */
export interface ContentFacts {
  type: string;
  /** Undefined when restrictions were not asked for. */
  restricted?: boolean;
  /** Undefined when labels were not asked for, or when the answer holds only some of them. */
  labels?: string[];
}

export interface RestClient {
  getSpaceByKey(key: string): Promise<ConfluenceSpace>;
  /** Every current page of the space, in no particular order (order comes from `position`). */
  listSpacePages(spaceId: string, onProgress?: (listed: number) => void): Promise<ConfluencePage[]>;
  getPage(id: string): Promise<ConfluencePage & { spaceId?: string }>;
  getFolder(id: string): Promise<ConfluencePage>;
  listLabels(pageId: string): Promise<string[]>;
  /** Content ids matching `cql`, every result page followed; `limit` is the page size. */
  searchByCql(cql: string, limit?: number): Promise<string[]>;
  /** The page's attachments: file name (`title`), size, media type and where to download it. */
  listAttachments(pageId: string): Promise<AttachmentInfo[]>;
  /** Downloads `{apiUrl}/wiki{downloadLink}` into `path`, streamed, at most `maxBytes`. */
  downloadAttachment(downloadLink: string, path: string, maxBytes: number): Promise<void>;
  /** Whether the content itself (not its ancestors) has a read restriction. */
  getReadRestrictions(id: string): Promise<{ restricted: boolean }>;
  /**
   * The own read restrictions and labels of every page (or folder) of a space, many a call
   * (`/rest/api/content/search` with expansions). Search can lag behind Confluence: content it
   * does not return must be checked alone.
   */
  scanSpace(spaceKey: string, type: 'page' | 'folder', want: { restrictions: boolean; labels: boolean }, onProgress?: (scanned: number) => void): Promise<Map<string, ContentFacts>>;
}

/** Pages per request of the v2 listing: its maximum, so a space costs pages/250 calls. */
const PAGE_SIZE = 250;
/** Results per content search request asked for; Confluence may answer fewer (it caps expansions). */
const SCAN_SIZE = 100;
/**
 * A listing that has not ended after this many requests is refused: 5,000 requests hold 1.25
 * million pages of the v2 listing, far beyond any real space, so only a broken cursor gets here.
 */
export const MAX_LISTING_REQUESTS = 5_000;

export function createRestClient(options: RestClientOptions): RestClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const wikiBase = `${apiUrl}/wiki`;
  const maxRequests = options.maxListingRequests ?? MAX_LISTING_REQUESTS;

  async function get<S extends z.ZodType>(url: string, schema: S, what: string): Promise<{ body: z.output<S>; headers: Record<string, string> }> {
    const response = await options.http.request({ method: 'GET', url, auth: options.auth, kind: 'rest', headers: { accept: 'application/json' } });
    const body = parseAnswer(schema, response.json<unknown>(), { method: 'GET', url, status: response.status }, what);
    return { body, headers: response.headers };
  }

  /**
   * Follows `_links.next` (or the `Link` header) to the end, collecting `results`. A next link seen
   * before is a loop and a listing past `maxRequests` is endless: both are refused, because the
   * part read so far would publish a different tree than Confluence has.
   */
  async function collect<T>(firstUrl: string, nextBase: string, schema: z.ZodType<{ results: T[]; _links?: { next?: string } | undefined }>, what: string, onProgress?: (count: number) => void): Promise<T[]> {
    const results: T[] = [];
    const seen = new Set<string>();
    const cursors = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      const cursor = new URL(url).searchParams.get('cursor');
      if (seen.has(url) || (cursor !== null && cursors.has(cursor))) {
        throw new UntrustedTreeError(`${what} sent a next-page link it had already sent (after ${seen.size} requests and ${results.length} results): its pagination loops, so the listing cannot be complete.`, { request: { method: 'GET', url } });
      }
      if (seen.size >= maxRequests) {
        throw new UntrustedTreeError(`${what} had not ended after ${maxRequests} requests (${results.length} results), the most the loader follows; a partial listing is never published.`, { request: { method: 'GET', url } });
      }
      seen.add(url);
      if (cursor !== null) cursors.add(cursor);
      const page: { body: { results: T[]; _links?: { next?: string } | undefined }; headers: Record<string, string> } = await get(url, schema, what);
      results.push(...page.body.results);
      onProgress?.(results.length);
      const next: string | undefined = page.body._links?.next ?? nextFromLinkHeader(page.headers.link);
      url = next ? resolveNext(next, nextBase) : undefined;
      // A next page of this listing, not another listing (another space's pages, another search).
      if (url !== undefined && new URL(url).pathname !== new URL(firstUrl).pathname) {
        throw new UntrustedTreeError(`${what} sent a next-page link to another listing (${new URL(url).pathname}), so what it lists cannot be trusted.`, { request: { method: 'GET', url: firstUrl } });
      }
    }
    return results;
  }

  const pageUrl = (id: string) => `${apiUrl}/wiki/api/v2/pages/${encodeURIComponent(id)}`;

  return {
    async getSpaceByKey(key) {
      const url = `${apiUrl}/wiki/api/v2/spaces?keys=${encodeURIComponent(key)}`;
      const { body } = await get(url, spacesByKeySchema, 'The space look-up');
      // Only the space asked for: another space's pages are not what the site publishes.
      const space = body.results.find((s) => s.key.toLowerCase() === key.toLowerCase());
      if (!space) {
        throw new NotFoundError(`Confluence has no space with key "${key}", or the token cannot see it.`, { request: { method: 'GET', url, status: 200 } });
      }
      const result: ConfluenceSpace = { id: space.id, key: space.key };
      if (space.name !== undefined) result.name = space.name;
      if (space.homepageId) result.homepageId = space.homepageId;
      return result;
    },

    async listSpacePages(spaceId, onProgress) {
      const url = `${apiUrl}/wiki/api/v2/spaces/${encodeURIComponent(spaceId)}/pages?depth=all&status=current&limit=${PAGE_SIZE}`;
      const what = `The page listing of space ${spaceId}`;
      const listed = await collect(url, apiUrl, pageListingSchema, what, onProgress);
      // The listing asked for the current pages of one space: anything else in it is a lie.
      const foreign = listed.filter((raw) => (raw.spaceId !== undefined && raw.spaceId !== spaceId) || (raw.status !== undefined && raw.status !== 'current'));
      if (foreign.length > 0) {
        throw new UntrustedTreeError(`${what} holds ${foreign.length} page(s) that are not current pages of that space (${foreign.slice(0, 5).map((raw) => raw.id).join(', ')}), although only those were asked for.`, { request: { method: 'GET', url } });
      }
      return listed.map((raw) => toConfluencePage(raw, 'page'));
    },

    async getPage(id) {
      const { body } = await get(pageUrl(id), v2PageSchema, `The look-up of page ${id}`);
      return { ...toConfluencePage(body, 'page'), ...(body.spaceId ? { spaceId: body.spaceId } : {}) };
    },

    async getFolder(id) {
      const { body } = await get(`${apiUrl}/wiki/api/v2/folders/${encodeURIComponent(id)}`, folderSchema, `The look-up of folder ${id}`);
      return toConfluencePage(body, 'folder');
    },

    async listLabels(pageId) {
      const labels = await collect(`${pageUrl(pageId)}/labels`, apiUrl, labelListingSchema, `The labels of page ${pageId}`);
      return labels.map((label) => label.name);
    },

    async searchByCql(cql, limit = 100) {
      const url = `${wikiBase}/rest/api/search?cql=${encodeURIComponent(cql)}&limit=${limit}`;
      return (await collect(url, wikiBase, cqlSearchSchema, 'The CQL search')).map((result) => result.content.id);
    },

    async listAttachments(pageId) {
      return collect(`${pageUrl(pageId)}/attachments?limit=${PAGE_SIZE}`, apiUrl, attachmentListingSchema, `The attachments of page ${pageId}`);
    },

    async downloadAttachment(downloadLink, path, maxBytes) {
      // The link is a path under the site's /wiki: resolved like a next link, it never leaves the API base.
      const url = resolveNext(downloadLink, wikiBase);
      await options.http.request({ method: 'GET', url, auth: options.auth, kind: 'rest', toFile: { path, maxBytes } });
    },

    async getReadRestrictions(id) {
      const url = `${wikiBase}/rest/api/content/${encodeURIComponent(id)}/restriction/byOperation/read`;
      const { body } = await get(url, readRestrictionSchema, `The read restrictions of ${id}`);
      return { restricted: hasReaders(body.restrictions) };
    },

    async scanSpace(spaceKey, type, want, onProgress) {
      const expand = [
        ...(want.restrictions ? ['restrictions.read.restrictions.user', 'restrictions.read.restrictions.group'] : []),
        ...(want.labels ? ['metadata.labels'] : []),
      ];
      const cql = `space = ${JSON.stringify(spaceKey)} AND type = ${type}`;
      const url = `${wikiBase}/rest/api/content/search?cql=${encodeURIComponent(cql)}&expand=${expand.join(',')}&limit=${SCAN_SIZE}`;
      const what = `The ${type} search of space ${spaceKey}`;
      const results = await collect(url, wikiBase, contentSearchSchema(want), what, onProgress);
      const facts = new Map<string, ContentFacts>();
      for (const result of results) {
        const item = result as { id: string; type: string; restrictions?: { read: { restrictions: Restrictions } }; metadata?: { labels: { results: { name: string }[]; size?: number; _links?: { next?: string } } } };
        if (item.type !== type) {
          throw new UntrustedTreeError(`${what} answered ${item.id} as content of type "${item.type}", although only ${type}s were asked for, so none of its answers can be trusted.`);
        }
        const fact: ContentFacts = { type: item.type };
        if (item.restrictions) fact.restricted = hasReaders(item.restrictions.read.restrictions);
        const labels = item.metadata?.labels;
        // An expansion holds at most one page of labels: with more, they are read alone.
        if (labels && !labels._links?.next && (labels.size === undefined || labels.size <= labels.results.length)) {
          fact.labels = labels.results.map((label) => label.name);
        }
        const before = facts.get(item.id);
        if (before && (before.restricted !== fact.restricted || String(before.labels) !== String(fact.labels))) {
          throw new UntrustedTreeError(`The ${type} search of space ${spaceKey} returned ${item.id} twice with different restrictions or labels, so neither answer can be trusted.`);
        }
        facts.set(item.id, fact);
      }
      return facts;
    },
  };
}

type RestrictionList = { results: unknown[]; size?: number; _links?: { next?: string } | undefined };
type Restrictions = { user: RestrictionList; group: RestrictionList };

/**
 * A read restriction names at least one user or group. `size` may count more than one page of
 * `results`, and a list with a next page holds someone on it: both count as restricted.
 */
function hasReaders(restrictions: Restrictions): boolean {
  const listed = (list: RestrictionList) => list.results.length > 0 || (list.size ?? 0) > 0 || Boolean(list._links?.next);
  return listed(restrictions.user) || listed(restrictions.group);
}

/**
 * A v2 page or folder as the loader's plain `ConfluencePage`. A parent that is neither a page nor a
 * folder (a whiteboard, a database…) cannot be checked for restrictions the way the loader checks
 * pages, so such content is refused rather than placed at the top of the tree.
 */
export function toConfluencePage(raw: V2Page | V2Folder, kind: 'page' | 'folder'): ConfluencePage {
  const page: ConfluencePage = {
    id: raw.id,
    title: raw.title,
    position: typeof raw.position === 'number' && Number.isFinite(raw.position) ? raw.position : 0,
    version: { number: 'version' in raw ? raw.version.number : 0 },
  };
  if (kind === 'folder') page.kind = 'folder';
  if (raw.parentId) {
    const parentType = raw.parentType ?? 'page';
    if (parentType !== 'page' && parentType !== 'folder') {
      throw new UntrustedTreeError(`${kind === 'folder' ? 'Folder' : 'Page'} ${raw.id} sits under content of type "${parentType}" (${raw.parentId}), whose restrictions the loader cannot check, so it cannot tell whether the page may be published.`, {
        hint: 'Move the page under a page or a folder in Confluence, or publish a part of the space that does not contain it (CONFLUENCE_ROOT_PAGE_ID). The last good content was kept.',
      });
    }
    page.parentId = raw.parentId;
    if (parentType === 'folder') page.parentType = 'folder';
  }
  if ('status' in raw && raw.status) page.status = raw.status;
  if ('version' in raw && raw.version.createdAt) page.version.createdAt = raw.version.createdAt;
  return page;
}

/** The `rel="next"` target of an RFC 8288 `Link` header. */
export function nextFromLinkHeader(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?(?:[^"]*\s)?next(?:\s[^"]*)?"?/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

/**
 * Resolves a `next` (or download) link against `base`. An absolute link is reduced to its path
 * and query under `base` unless it already lies under it, and the result is normalised as a URL
 * and must lie under `base`: the token never follows a link to another host or, through dot
 * segments (plain or percent-encoded), out of the API base.
 */
export function resolveNext(next: string, base: string): string {
  let path = next;
  if (/^[a-z][a-z0-9+.-]*:/i.test(next) || next.startsWith('//') || next.startsWith('/\\')) {
    if (next.startsWith(`${base}/`)) path = next.slice(base.length);
    else {
      const url = new URL(next, 'https://link.invalid');
      path = `${url.pathname}${url.search}`;
      // `_links.next` relative to the site's `/wiki` still carries it when made absolute.
      const basePath = new URL(base).pathname.replace(/\/+$/, '');
      if (basePath.endsWith('/wiki') && path.startsWith('/wiki/')) path = path.slice('/wiki'.length);
    }
  }
  const joined = `${base}${path.startsWith('/') ? '' : '/'}${path}`;
  const resolved = new URL(joined);
  if (/%2e/i.test(path) || !`${resolved.origin}${resolved.pathname}`.startsWith(`${new URL(base).origin}${new URL(base).pathname.replace(/\/+$/, '')}/`)) {
    throw new UntrustedTreeError(`A link in an answer (${path.slice(0, 120)}) leads outside the API base, so it is not followed.`);
  }
  return resolved.href;
}
