import { describe, expect, it } from 'vitest';
import { NotFoundError, ResponseShapeError, RestScopeError, UntrustedTreeError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import {
  createRestClient,
  nextFromLinkHeader,
  resolveNext,
  toConfluencePage,
} from '../../../packages/astro-loader-confluence/src/remote/rest-client.ts';
import { staticToken } from '../../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { useLoopback } from '../../helpers/loopback.ts';

const { serve, httpClient } = useLoopback();

const PREFIX = '/ex/confluence/cloud-1';
const raw = (id: string, parentId: string | null, position: number, extra: Record<string, unknown> = {}) => ({
  id, title: `Page ${id}`, parentId, parentType: parentId ? 'page' : null, position, status: 'current', spaceId: 'S1',
  version: { number: Number(id), createdAt: '2025-01-01T00:00:00Z' }, ...extra,
});
/** Root 1 → 2 → (3, 4); 5 is another top-level page; 6 sits under a folder. */
const PAGES = [raw('1', null, 0), raw('2', '1', 10), raw('3', '2', 5), raw('4', '2', 1), raw('5', null, 1), raw('6', '61', 0, { parentType: 'folder' })];

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
    expect(await rest.getPage('2')).toEqual({ id: '2', title: 'Page 2', parentId: '1', position: 10, status: 'current', spaceId: 'S1', version: { number: 2, createdAt: '2025-01-01T00:00:00Z' } });
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

  it('tells a restricted page from an open one', async () => {
    const { rest } = await confluence();
    expect(await rest.getReadRestrictions('3')).toEqual({ restricted: true });
    expect(await rest.getReadRestrictions('4')).toEqual({ restricted: false });
  });

  it.each([401, 403])('reads REST %i as missing REST scopes', async (status) => {
    const { rest, http } = await confluence({ status });
    const error = await rest.listSpacePages('S1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestScopeError);
    expect((error as RestScopeError).hint).toMatch(/publishes nothing unless the site sets checkRestrictions: false/);
    expect((error as Error).message).toContain(`→ ${status}`);
    expect(http.stats().requests.rest).toBe(1);
  });
});

describe('pure helpers', () => {
  it('toConfluencePage keeps page and folder parents, saying which a parent is', () => {
    expect(toConfluencePage({ id: '6', title: 'Page 6', parentId: '61', parentType: 'folder', position: 3, status: 'current', version: { number: 6 } }, 'page')).toEqual({
      id: '6', title: 'Page 6', parentId: '61', parentType: 'folder', position: 3, status: 'current', version: { number: 6 },
    });
    expect(toConfluencePage({ id: '7', title: 'T', parentId: '1', version: { number: 0 } }, 'page')).toEqual({ id: '7', title: 'T', parentId: '1', position: 0, version: { number: 0 } });
    expect(toConfluencePage({ id: '8', title: 'F', parentId: null }, 'folder')).toEqual({ id: '8', title: 'F', kind: 'folder', position: 0, version: { number: 0 } });
  });

  it('toConfluencePage refuses content under a parent it cannot check (a whiteboard), by id only', () => {
    expect(() => toConfluencePage({ id: '9', title: 'Secret plan', parentId: '90', parentType: 'whiteboard', version: { number: 1 } }, 'page')).toThrow(UntrustedTreeError);
    expect(() => toConfluencePage({ id: '9', title: 'Secret plan', parentId: '90', parentType: 'whiteboard', version: { number: 1 } }, 'page')).toThrow(/^(?!.*Secret).*Page 9 sits under content of type "whiteboard" \(90\)/);
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

/**
 * A REST stand-in that lies: each route answers whatever the test says. Every shape the loader
 * depends on is broken once, and each must be an error naming the endpoint, never an empty set.
 */
async function liar(answer: (path: string, query: URLSearchParams) => unknown, options: { maxListingRequests?: number } = {}) {
  const requests: string[] = [];
  const origin = await serve((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${url.pathname}${url.search}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(url.pathname.slice(PREFIX.length), url.searchParams)));
  });
  const rest = createRestClient({ http: httpClient(), auth: staticToken('rest-client-test-token'), apiUrl: `${origin}${PREFIX}`, ...options });
  return { rest, requests };
}

const listing = '/wiki/api/v2/spaces/S1/pages';

describe('answers that do not have their documented shape', () => {
  it.each([
    ['a page listing of {"message": …} instead of results', { message: 'Service is in maintenance' }, /results: Invalid input/],
    ['a listed page without a version', { results: [{ id: '1', title: 'A' }] }, /results\[0\]\.version/],
    ['a listed page whose id is not an id', { results: [{ id: 'x1', title: 'A', version: { number: 1 } }] }, /results\[0\]\.id/],
  ])('%s is an error naming the endpoint and the field', async (_what, body, field) => {
    const { rest } = await liar(() => body);
    const error = await rest.listSpacePages('S1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as Error).message).toMatch(/The page listing of space S1 answered with an unexpected shape/);
    expect((error as Error).message).toMatch(field);
    expect((error as Error).message).not.toContain('maintenance');
  });

  it.each([
    ['{}', {}],
    ['no group list', { restrictions: { user: { results: [] } } }],
    ['results that are not a list', { restrictions: { user: { results: {} }, group: { results: [] } } }],
  ])('a restriction answer of %s is an error, never "not restricted"', async (_what, body) => {
    const { rest } = await liar(() => body);
    await expect(rest.getReadRestrictions('4')).rejects.toBeInstanceOf(ResponseShapeError);
  });

  it('counts a restriction from its size when the answer lists no one', async () => {
    const { rest } = await liar(() => ({ restrictions: { user: { results: [], size: 2 }, group: { results: [], size: 0 } } }));
    expect(await rest.getReadRestrictions('4')).toEqual({ restricted: true });
  });

  it('a label listing that answers 200 without results is an error, never "no labels"', async () => {
    const { rest } = await liar(() => ({ size: 0 }));
    await expect(rest.listLabels('3')).rejects.toBeInstanceOf(ResponseShapeError);
  });
});

describe('listings that loop or never end', () => {
  it('refuses a next link pointing back at the same page', async () => {
    const { rest, requests } = await liar(() => ({ results: [], _links: { next: `${listing}?depth=all&status=current&limit=250` } }));
    const error = await rest.listSpacePages('S1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UntrustedTreeError);
    expect((error as Error).message).toMatch(/already sent/);
    expect(requests).toHaveLength(1);
  });

  it('refuses a cursor that comes back, however the link around it changes', async () => {
    const { rest } = await liar((_path, query) => {
      const n = Number(query.get('n') ?? 0);
      return { results: [], _links: { next: `${listing}?cursor=${n % 2 === 0 ? 'A' : 'B'}&n=${n + 1}` } };
    });
    await expect(rest.listSpacePages('S1')).rejects.toThrow(/already sent/);
  });

  it('refuses a listing that never ends, naming the bound', async () => {
    const { rest, requests } = await liar((_path, query) => ({ results: [], _links: { next: `${listing}?cursor=${Number(query.get('cursor') ?? 0) + 1}` } }), { maxListingRequests: 25 });
    const error = await rest.listSpacePages('S1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UntrustedTreeError);
    expect((error as Error).message).toMatch(/had not ended after 25 requests/);
    expect(requests).toHaveLength(25);
  });
});

describe('scanSpace', () => {
  const result = (id: string, users: unknown[], labels: string[], extra: Record<string, unknown> = {}) => ({
    id, type: 'page', title: `P${id}`,
    restrictions: { read: { restrictions: { user: { results: users, size: users.length }, group: { results: [], size: 0 } } } },
    metadata: { labels: { results: labels.map((name) => ({ name })), size: labels.length } },
    ...extra,
  });

  it('reads own restrictions and labels of every result, following next links relative to /wiki', async () => {
    const { rest, requests } = await liar((_path, query) =>
      query.get('cursor')
        ? { results: [result('3', [], ['internal'])] }
        : { results: [result('1', [], []), result('2', [{ accountId: 'a' }], ['howto'])], _links: { next: '/rest/api/content/search?cql=x&cursor=2' } },
    );
    const facts = await rest.scanSpace('DOCS', 'page', { restrictions: true, labels: true });
    expect(Object.fromEntries(facts)).toEqual({
      1: { type: 'page', restricted: false, labels: [] },
      2: { type: 'page', restricted: true, labels: ['howto'] },
      3: { type: 'page', restricted: false, labels: ['internal'] },
    });
    expect(requests[0]).toContain('expand=restrictions.read.restrictions.user,restrictions.read.restrictions.group,metadata.labels');
    expect(decodeURIComponent(requests[0]!)).toContain('cql=space = "DOCS" AND type = page');
    expect(requests[1]).toBe(`${PREFIX}/wiki/rest/api/content/search?cql=x&cursor=2`);
  });

  it('leaves labels unknown when the expansion holds only some of them', async () => {
    const { rest } = await liar(() => ({ results: [result('1', [], ['a'], { metadata: { labels: { results: [{ name: 'a' }], size: 1, _links: { next: '/more' } } } })] }));
    expect((await rest.scanSpace('DOCS', 'page', { restrictions: true, labels: true })).get('1')!.labels).toBeUndefined();
  });

  it('refuses a result without the restrictions it was asked for', async () => {
    const { rest } = await liar(() => ({ results: [{ id: '1', type: 'page', metadata: { labels: { results: [] } } }] }));
    await expect(rest.scanSpace('DOCS', 'page', { restrictions: true, labels: true })).rejects.toThrow(/results\[0\]\.restrictions/);
  });

  it('refuses the same id answered twice with different restrictions', async () => {
    const { rest } = await liar(() => ({ results: [result('1', [], []), result('1', [{ accountId: 'a' }], [])] }));
    await expect(rest.scanSpace('DOCS', 'page', { restrictions: true, labels: true })).rejects.toBeInstanceOf(UntrustedTreeError);
  });
});
