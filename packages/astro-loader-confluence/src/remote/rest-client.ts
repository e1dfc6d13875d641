/**
 * The subset of Confluence Cloud REST the loader uses (contract.md §3): space and page-tree
 * discovery, labels, CQL search and read restrictions. Pagination is followed to the end; a 401 or
 * 403 means the token lacks the optional REST scopes (RestScopeError), which the loader can survive.
 */
import { ConfluenceLoaderError, NotFoundError } from '../errors.ts';
import type { HttpClient, TokenProvider } from './http-client.ts';

import type { ConfluencePage } from '../types.ts';

export interface RestClientOptions {
  http: Pick<HttpClient, 'request'>;
  auth: TokenProvider;
  /** The REST base, the part before `/wiki/...` (see endpoints.ts). */
  apiUrl: string;
}

export interface ConfluenceSpace {
  id: string;
  key: string;
  name?: string;
  homepageId?: string;
}

export interface ReadRestrictions {
  /** Users allowed to read; 0 with 0 groups means the page itself is not restricted. */
  users: number;
  groups: number;
}

export interface RestClient {
  getSpaceByKey(key: string): Promise<ConfluenceSpace>;
  /** Every current page of the space, in no particular order (order comes from `position`). */
  listSpacePages(spaceId: string): Promise<ConfluencePage[]>;
  getPage(id: string): Promise<ConfluencePage>;
  listLabels(pageId: string): Promise<string[]>;
  /** Content ids matching `cql`, every result page followed; `limit` is the page size. */
  searchByCql(cql: string, limit?: number): Promise<string[]>;
  getReadRestrictions(pageId: string): Promise<ReadRestrictions>;
  /** The root page (made a root: no `parentId`) and all its descendants. */
  listDescendants(rootPageId: string): Promise<ConfluencePage[]>;
}

/** Pages per request: the v2 API's maximum, so a space costs pages/250 calls. */
const PAGE_SIZE = 250;
/** A server that keeps sending `next` links forever must not hang the build. */
const MAX_RESULT_PAGES = 10_000;

interface V2Page {
  id?: unknown;
  title?: unknown;
  parentId?: unknown;
  parentType?: unknown;
  position?: unknown;
  status?: unknown;
  spaceId?: unknown;
  version?: { number?: unknown; createdAt?: unknown };
}

interface Listing<T> {
  results?: T[];
  _links?: { next?: string; base?: string };
}

export function createRestClient(options: RestClientOptions): RestClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const wikiBase = `${apiUrl}/wiki`;

  async function get<T>(url: string): Promise<{ body: T; headers: Record<string, string> }> {
    const response = await options.http.request({ method: 'GET', url, auth: options.auth, kind: 'rest', headers: { accept: 'application/json' } });
    return { body: response.json<T>(), headers: response.headers };
  }

  /** Follows `_links.next` (or the `Link` header) until there is none, collecting `results`. */
  async function collect<T>(firstUrl: string, nextBase: string): Promise<T[]> {
    const results: T[] = [];
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined && !seen.has(url) && seen.size < MAX_RESULT_PAGES) {
      seen.add(url);
      const page: { body: Listing<T>; headers: Record<string, string> } = await get<Listing<T>>(url);
      results.push(...(Array.isArray(page.body.results) ? page.body.results : []));
      const next: string | undefined = page.body._links?.next ?? nextFromLinkHeader(page.headers.link);
      url = next ? resolveNext(next, nextBase) : undefined;
    }
    return results;
  }

  async function getRawPage(id: string): Promise<V2Page> {
    return (await get<V2Page>(`${apiUrl}/wiki/api/v2/pages/${encodeURIComponent(id)}`)).body;
  }

  async function listSpacePages(spaceId: string): Promise<ConfluencePage[]> {
    const url = `${apiUrl}/wiki/api/v2/spaces/${encodeURIComponent(spaceId)}/pages?depth=all&status=current&limit=${PAGE_SIZE}`;
    return (await collect<V2Page>(url, apiUrl)).map(toConfluencePage);
  }

  return {
    async getSpaceByKey(key) {
      const { body } = await get<Listing<{ id?: unknown; key?: unknown; name?: unknown; homepageId?: unknown }>>(
        `${apiUrl}/wiki/api/v2/spaces?keys=${encodeURIComponent(key)}`,
      );
      const space = body.results?.[0];
      if (!space || (typeof space.id !== 'string' && typeof space.id !== 'number')) {
        throw new NotFoundError(`Confluence has no space with key "${key}", or the token cannot see it.`, {
          request: { method: 'GET', url: `${apiUrl}/wiki/api/v2/spaces?keys=${encodeURIComponent(key)}`, status: 200 },
        });
      }
      const result: ConfluenceSpace = { id: String(space.id), key: typeof space.key === 'string' ? space.key : key };
      if (typeof space.name === 'string') result.name = space.name;
      if (space.homepageId !== undefined && space.homepageId !== null) result.homepageId = String(space.homepageId);
      return result;
    },

    listSpacePages,

    async getPage(id) {
      return toConfluencePage(await getRawPage(id));
    },

    async listLabels(pageId) {
      const labels = await collect<{ name?: unknown }>(`${apiUrl}/wiki/api/v2/pages/${encodeURIComponent(pageId)}/labels`, apiUrl);
      return labels.map((label) => label.name).filter((name): name is string => typeof name === 'string');
    },

    async searchByCql(cql, limit = 100) {
      const url = `${wikiBase}/rest/api/search?cql=${encodeURIComponent(cql)}&limit=${limit}`;
      const results = await collect<{ content?: { id?: unknown } }>(url, wikiBase);
      return results.map((result) => result.content?.id).filter((id) => id !== undefined && id !== null).map(String);
    },

    async getReadRestrictions(pageId) {
      const url = `${wikiBase}/rest/api/content/${encodeURIComponent(pageId)}/restriction/byOperation/read`;
      const { body } = await get<{ restrictions?: { user?: RestrictionList; group?: RestrictionList } }>(url);
      return { users: countOf(body.restrictions?.user), groups: countOf(body.restrictions?.group) };
    },

    async listDescendants(rootPageId) {
      const root = await getRawPage(rootPageId);
      if (typeof root.spaceId !== 'string' && typeof root.spaceId !== 'number') {
        throw new ConfluenceLoaderError(`Page ${rootPageId} came back without its spaceId, so its descendants cannot be listed.`, {
          request: { method: 'GET', url: `${apiUrl}/wiki/api/v2/pages/${encodeURIComponent(rootPageId)}` },
          hint: 'Check that CONFLUENCE_API_URL points at Confluence Cloud REST v2 (or a stand-in that matches it).',
        }, 'BAD_RESPONSE', 'ConfluenceLoaderError');
      }
      // CQL cannot ask for a subtree here (no `ancestor`), so the space's page list is cut down instead.
      return subtreeOf(await listSpacePages(String(root.spaceId)), toConfluencePage(root));
    },
  };
}

/** A v2 page as the loader's plain `ConfluencePage`. */
export function toConfluencePage(raw: V2Page): ConfluencePage {
  const page: ConfluencePage = {
    id: String(raw.id),
    title: typeof raw.title === 'string' ? raw.title : '',
    position: typeof raw.position === 'number' && Number.isFinite(raw.position) ? raw.position : 0,
    version: { number: typeof raw.version?.number === 'number' ? raw.version.number : 0 },
  };
  // A parent that is not a page (a folder, a whiteboard) is not in the page tree; the page is
  // then placed at the top rather than orphaned under an id nobody knows.
  const parentIsPage = raw.parentType === undefined || raw.parentType === null || raw.parentType === 'page';
  if (parentIsPage && raw.parentId !== undefined && raw.parentId !== null && raw.parentId !== '') page.parentId = String(raw.parentId);
  if (typeof raw.status === 'string') page.status = raw.status;
  if (typeof raw.version?.createdAt === 'string') page.version.createdAt = raw.version.createdAt;
  return page;
}

/** `root` (with no parent) and every page below it, parents before children. */
export function subtreeOf(pages: readonly ConfluencePage[], root: ConfluencePage): ConfluencePage[] {
  const children = new Map<string, ConfluencePage[]>();
  for (const page of pages) {
    if (page.parentId === undefined || page.id === root.id) continue;
    const list = children.get(page.parentId);
    if (list) list.push(page);
    else children.set(page.parentId, [page]);
  }
  const { parentId: _dropped, ...rootAsRoot } = pages.find((page) => page.id === root.id) ?? root;
  const out: ConfluencePage[] = [rootAsRoot];
  const seen = new Set([root.id]);
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i]!.id) ?? []) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      out.push(child);
    }
  }
  return out;
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
 * Resolves a `next` link against `base`. An absolute link is reduced to its path and query under
 * `base` unless it already lies under it: the token must never follow a link to another host.
 */
export function resolveNext(next: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(next)) {
    if (next.startsWith(`${base}/`)) return next;
    const url = new URL(next);
    next = `${url.pathname}${url.search}`;
    // `_links.next` relative to the site's `/wiki` still carries it when made absolute.
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    if (basePath.endsWith('/wiki') && next.startsWith('/wiki/')) next = next.slice('/wiki'.length);
  }
  return `${base}${next.startsWith('/') ? '' : '/'}${next}`;
}

interface RestrictionList {
  results?: unknown[];
  size?: unknown;
}

function countOf(list: RestrictionList | undefined): number {
  const listed = Array.isArray(list?.results) ? list.results.length : 0;
  return Math.max(listed, typeof list?.size === 'number' ? list.size : 0);
}
