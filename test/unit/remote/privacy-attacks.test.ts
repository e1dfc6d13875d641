/**
 * Attacks on the REST edge (issue 10): answers that are well-formed JSON but say something the
 * loader must not take at face value. A test titled "FINDING:" failed when written (see the
 * integration suite test/integration/privacy-attacks.test.ts for the end-to-end versions).
 */
import { describe, expect, it } from 'vitest';
import { UntrustedTreeError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { createRestClient, resolveNext } from '../../../packages/astro-loader-confluence/src/remote/rest-client.ts';
import { contentSearchSchema, pageListingSchema } from '../../../packages/astro-loader-confluence/src/remote/schemas.ts';
import { staticToken } from '../../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { useLoopback } from '../../helpers/loopback.ts';

const { serve, httpClient } = useLoopback();
const PREFIX = '/ex/confluence/cloud-1';

async function liar(answer: (path: string, query: URLSearchParams) => unknown) {
  const requests: string[] = [];
  const origin = await serve((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${url.pathname}${url.search}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(url.pathname.slice(PREFIX.length), url.searchParams)));
  });
  return { rest: createRestClient({ http: httpClient(), auth: staticToken('t'), apiUrl: `${origin}${PREFIX}` }), requests, origin };
}

describe('ids written as numbers', () => {
  it('a numeric id beyond 2^53 (JSON has already rounded it to another page\'s id) is refused, not read as that page', () => {
    // 9007199254740993 parses as 9007199254740992: a child would be placed under the wrong parent.
    const listing = JSON.parse('{"results":[{"id":"9007199254740992","title":"Open","version":{"number":1}},{"id":"42","title":"Child","parentId":9007199254740993,"parentType":"page","version":{"number":1}}]}');
    expect(pageListingSchema.safeParse(listing).success).toBe(false);
    const search = JSON.parse('{"results":[{"id":9007199254740993,"type":"page","restrictions":{"read":{"restrictions":{"user":{"results":[]},"group":{"results":[]}}}}}]}');
    expect(contentSearchSchema({ restrictions: true, labels: false }).safeParse(search).success).toBe(false);
  });

  it('ids written as safe numbers and as strings are the same id', () => {
    const listing = pageListingSchema.parse({ results: [{ id: 5100000001, title: 'A', version: { number: 1 } }, { id: '5100000002', title: 'B', parentId: 5100000001, version: { number: 1 } }] });
    expect(listing.results.map((p) => [p.id, p.parentId])).toEqual([['5100000001', undefined], ['5100000002', '5100000001']]);
  });
});

describe('restrictions that are paged', () => {
  it('FINDING: a restriction list that lists no one on this page but has a next page (and no size) is a restriction or an error, never "open"', async () => {
    const { rest } = await liar(() => ({ restrictions: { user: { results: [], start: 0, limit: 0, _links: { next: '/rest/api/content/4/restriction/byOperation/read/user?start=0&limit=100' } }, group: { results: [] } } }));
    const answer = await rest.getReadRestrictions('4').catch((error: unknown) => error);
    expect(answer).not.toEqual({ restricted: false });
  });
});

describe('links the token follows', () => {
  const base = 'https://api.atlassian.com/ex/confluence/cloud-1/wiki';
  it.each([
    ['dot segments', '/../../../../ex/confluence/other-cloud/wiki/download/attachments/1/x.png'],
    ['dot segments after a real prefix', '/download/attachments/1/../../../../../oauth/token'],
    ['percent-encoded dot segments', '/%2e%2e/%2E%2E/%2e%2e/other-cloud/wiki/x'],
  ])('FINDING: a download or next link with %s never resolves outside the API base', (_what, link) => {
    // Refusing the link is as safe as resolving it under the base; following it outside is not.
    let resolved: string;
    try {
      resolved = new URL(resolveNext(link, base)).href;
    } catch (error) {
      expect(error).toBeInstanceOf(UntrustedTreeError);
      return;
    }
    expect(resolved.startsWith(`${base}/`), resolved).toBe(true);
  });

  it.each([
    ['another host, absolute', 'https://evil.example/wiki/download/attachments/1/x.png'],
    ['another host, protocol-relative', '//evil.example/download/attachments/1/x.png'],
    ['another host, with a backslash', '/\\evil.example/x'],
    ['a userinfo trick', 'https://api.atlassian.com@evil.example/x'],
  ])('a link to %s stays on the API host', (_what, link) => {
    expect(new URL(resolveNext(link, base)).host).toBe('api.atlassian.com');
  });
});

describe('the content search', () => {
  const item = (id: string, type: string, restricted: boolean) => ({
    id, type,
    restrictions: { read: { restrictions: { user: { results: restricted ? [{ accountId: 'a' }] : [] }, group: { results: [] } } } },
  });

  it('FINDING: a folder search answering content of another type (a page id) is refused, not recorded as a folder\'s facts', async () => {
    const { rest } = await liar(() => ({ results: [item('10', 'folder', false), item('11', 'page', false)] }));
    await expect(rest.scanSpace('DOCS', 'folder', { restrictions: true, labels: false })).rejects.toThrow();
  });

  it('its CQL names the space and the type asked for, and nothing a title could inject', async () => {
    const { rest, requests } = await liar(() => ({ results: [] }));
    await rest.scanSpace('DO"CS', 'page', { restrictions: true, labels: true });
    expect(decodeURIComponent(new URL(requests[0]!, 'http://x').searchParams.get('cql')!)).toBe('space = "DO\\"CS" AND type = page');
  });
});
