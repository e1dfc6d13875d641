import { describe, expect, it } from 'vitest';
import { NotFoundError, RestScopeError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import {
  createRestClient,
  nextFromLinkHeader,
  resolveNext,
  subtreeOf,
  toConfluencePage,
} from '../../../packages/astro-loader-confluence/src/remote/rest-client.ts';
import { staticToken } from '../../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import type { ConfluencePage } from '../../../packages/astro-loader-confluence/src/types.ts';
import { useLoopback } from '../../helpers/loopback.ts';

const { serve, httpClient } = useLoopback();

const PREFIX = '/ex/confluence/cloud-1';
const raw = (id: string, parentId: string | null, position: number, extra: Record<string, unknown> = {}) => ({
  id, title: `Page ${id}`, parentId, parentType: parentId ? 'page' : null, position, status: 'current', spaceId: 'S1',
  version: { number: Number(id), createdAt: '2025-01-01T00:00:00Z' }, ...extra,
});
/** Root 1 → 2 → (3, 4); 5 is another top-level page; 6 sits under a folder. */
const PAGES = [raw('1', null, 0), raw('2', '1', 10), raw('3', '2', 5), raw('4', '2', 1), raw('5', null, 1), raw('6', 'f1', 0, { parentType: 'folder' })];

/**
 * A Confluence REST stand-in that paginates like the real one: `_links.next` relative to the API
 * base on v2, the `Link` header on the second page, `_links.base` + relative next on v1 search.
 */
async function confluence(options: { status?: number } = {}) {
  const requests: string[] = [];
  const origin = await serve((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${url.pathname}${url.search}`);
    const send = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(options.status ?? 200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer rest-client-test-token') return send({ message: 'no auth' });
    const path = url.pathname.slice(PREFIX.length);
    const cursor = url.searchParams.get('cursor');
    if (path === '/wiki/api/v2/spaces') {
      return send({ results: url.searchParams.get('keys') === 'DOCS' ? [{ id: 'S1', key: 'DOCS', name: 'Docs', homepageId: '1' }] : [] });
    }
    if (path === '/wiki/api/v2/spaces/S1/pages') {
      if (!cursor) return send({ results: PAGES.slice(0, 2), _links: { next: '/wiki/api/v2/spaces/S1/pages?depth=all&status=current&limit=250&cursor=c2' } });
      if (cursor === 'c2') return send({ results: PAGES.slice(2, 4), _links: {} }, { link: '</wiki/api/v2/spaces/S1/pages?depth=all&status=current&limit=250&cursor=c3>; rel="next"' });
      return send({ results: PAGES.slice(4) });
    }
    const page = /^\/wiki\/api\/v2\/pages\/(\w+)$/.exec(path);
    if (page) return send(PAGES.find((p) => p.id === page[1]));
    if (path === '/wiki/api/v2/pages/3/labels') {
      return cursor ? send({ results: [{ name: 'internal' }] }) : send({ results: [{ name: 'draft' }], _links: { next: '/wiki/api/v2/pages/3/labels?cursor=l2' } });
    }
    if (path === '/wiki/rest/api/search') {
      const base = `${origin}${PREFIX}/wiki`;
      return cursor
        ? send({ results: [{ content: { id: '5' } }], _links: { base } })
        : send({ results: [{ content: { id: '3' } }, { content: { id: 4 } }], _links: { base, next: `/rest/api/search?cql=${encodeURIComponent(url.searchParams.get('cql')!)}&limit=2&cursor=s2` } });
    }
    if (path === '/wiki/rest/api/content/3/restriction/byOperation/read') {
      return send({ restrictions: { user: { results: [{ accountId: 'a' }], size: 1 }, group: { results: [] } } });
    }
    if (path === '/wiki/rest/api/content/4/restriction/byOperation/read') {
      return send({ restrictions: { user: { results: [] }, group: { results: [] } } });
    }
    res.writeHead(404);
    res.end();
  });
  const http = httpClient();
  const rest = createRestClient({ http, auth: staticToken('rest-client-test-token'), apiUrl: `${origin}${PREFIX}/` });
  return { rest, http, requests, origin };
}

describe('createRestClient', () => {
  it('finds a space by key, and says clearly when there is none', async () => {
    const { rest } = await confluence();
    expect(await rest.getSpaceByKey('DOCS')).toEqual({ id: 'S1', key: 'DOCS', name: 'Docs', homepageId: '1' });
    const error = await rest.getSpaceByKey('NOPE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/"NOPE"/);
  });

  it('lists every page of a space, following _links.next and the Link header under the API base', async () => {
    const { rest, requests, http } = await confluence();
    const pages = await rest.listSpacePages('S1');
    expect(pages.map((p) => p.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(requests).toEqual([
      `${PREFIX}/wiki/api/v2/spaces/S1/pages?depth=all&status=current&limit=250`,
      `${PREFIX}/wiki/api/v2/spaces/S1/pages?depth=all&status=current&limit=250&cursor=c2`,
      `${PREFIX}/wiki/api/v2/spaces/S1/pages?depth=all&status=current&limit=250&cursor=c3`,
    ]);
    expect(http.stats().requests.rest).toBe(3);
    expect(pages[3]).toEqual({ id: '4', title: 'Page 4', parentId: '2', position: 1, status: 'current', version: { number: 4, createdAt: '2025-01-01T00:00:00Z' } });
  });

  it('gets one page as a plain ConfluencePage', async () => {
    const { rest } = await confluence();
    expect(await rest.getPage('2')).toEqual({ id: '2', title: 'Page 2', parentId: '1', position: 10, status: 'current', version: { number: 2, createdAt: '2025-01-01T00:00:00Z' } });
  });

  it('collects labels across pages', async () => {
    const { rest } = await confluence();
    expect(await rest.listLabels('3')).toEqual(['draft', 'internal']);
  });

  it('searches by CQL, following v1 next links relative to {apiUrl}/wiki', async () => {
    const { rest, requests } = await confluence();
    const cql = 'space = "DOCS" AND type = page AND label in ("draft","internal")';
    expect(await rest.searchByCql(cql, 2)).toEqual(['3', '4', '5']);
    expect(requests).toEqual([
      `${PREFIX}/wiki/rest/api/search?cql=${encodeURIComponent(cql)}&limit=2`,
      `${PREFIX}/wiki/rest/api/search?cql=${encodeURIComponent(cql)}&limit=2&cursor=s2`,
    ]);
  });

  it('counts read restrictions', async () => {
    const { rest } = await confluence();
    expect(await rest.getReadRestrictions('3')).toEqual({ users: 1, groups: 0 });
    expect(await rest.getReadRestrictions('4')).toEqual({ users: 0, groups: 0 });
  });

  it('lists a root page and its descendants, the root made a root', async () => {
    const { rest } = await confluence();
    const pages = await rest.listDescendants('2');
    expect(pages.map((p) => p.id)).toEqual(['2', '3', '4']);
    expect(pages[0]!.parentId).toBeUndefined();
  });

  it.each([401, 403])('reads REST %i as missing REST scopes', async (status) => {
    const { rest, http } = await confluence({ status });
    const error = await rest.listSpacePages('S1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestScopeError);
    expect((error as RestScopeError).hint).toMatch(/100 pages by CONFLUENCE_SPACE_KEY/);
    expect((error as Error).message).toContain(`→ ${status}`);
    expect(http.stats().requests.rest).toBe(1);
  });
});

describe('pure helpers', () => {
  it('toConfluencePage keeps page parents and drops folder parents', () => {
    expect(toConfluencePage(raw('6', 'f1', 3, { parentType: 'folder' }))).toEqual({
      id: '6', title: 'Page 6', position: 3, status: 'current', version: { number: 6, createdAt: '2025-01-01T00:00:00Z' },
    });
    expect(toConfluencePage({ id: 7, title: 'T', parentId: 1, version: {} })).toEqual({ id: '7', title: 'T', parentId: '1', position: 0, version: { number: 0 } });
  });

  it('subtreeOf keeps the root and everything below it, parents first, and survives cycles', () => {
    const page = (id: string, parentId?: string): ConfluencePage => ({ id, title: id, position: 0, version: { number: 1 }, ...(parentId ? { parentId } : {}) });
    const pages = [page('a'), page('b', 'a'), page('c', 'b'), page('d'), page('x', 'y'), page('y', 'x'), page('e', 'c')];
    expect(subtreeOf(pages, pages[1]!).map((p) => p.id)).toEqual(['b', 'c', 'e']);
    expect(subtreeOf(pages, pages[1]!)[0]).not.toHaveProperty('parentId');
    expect(subtreeOf(pages, pages[4]!).map((p) => p.id)).toEqual(['x', 'y']);
  });

  it('nextFromLinkHeader finds rel="next" among several links', () => {
    expect(nextFromLinkHeader('</a?cursor=1>; rel="prev", </b?cursor=2>; rel="next"')).toBe('/b?cursor=2');
    expect(nextFromLinkHeader('</b>; rel=next')).toBe('/b');
    expect(nextFromLinkHeader('</a>; rel="prev"')).toBeUndefined();
    expect(nextFromLinkHeader(undefined)).toBeUndefined();
  });

  it('resolveNext never leaves the API base, so the token goes nowhere else', () => {
    const base = 'https://api.atlassian.com/ex/confluence/c1';
    expect(resolveNext('/wiki/api/v2/x?cursor=1', base)).toBe(`${base}/wiki/api/v2/x?cursor=1`);
    expect(resolveNext(`${base}/wiki/api/v2/x`, base)).toBe(`${base}/wiki/api/v2/x`);
    expect(resolveNext('https://evil.example/wiki/api/v2/x?cursor=1', base)).toBe(`${base}/wiki/api/v2/x?cursor=1`);
    expect(resolveNext('https://acme.atlassian.net/wiki/rest/api/search?cursor=2', `${base}/wiki`)).toBe(`${base}/wiki/rest/api/search?cursor=2`);
  });
});
