import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type StandIn } from '../src/index.ts';
import { get } from './helpers.ts';

describe('Confluence REST subset', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await start({ space: generateSpace({ shape: 'mixed', size: 620, seed: 5, key: 'MIX' }) });
  });
  afterAll(() => s.stop());

  it('finds the space by key, under both base URLs', async () => {
    const a = await get(s, '/wiki/api/v2/spaces?keys=MIX');
    expect(a.json.results).toEqual([expect.objectContaining({ id: s.space.id, key: 'MIX', homepageId: s.space.homepageId })]);
    const b = await get(s, '/wiki/api/v2/spaces?keys=MIX', s.accessToken, s.url);
    expect(b.json.results[0].id).toBe(s.space.id);
    expect((await get(s, '/wiki/api/v2/spaces?keys=OTHER')).json.results).toEqual([]);
  });

  it('paginates pages to the end through _links.next and Link, in an order that is not position or id order', async () => {
    const seen: any[] = [];
    let next: string | undefined = `/wiki/api/v2/spaces/${s.space.id}/pages?depth=all&status=current&limit=250`;
    let calls = 0;
    while (next) {
      const r = await get(s, next);
      expect(r.status).toBe(200);
      calls++;
      seen.push(...r.json.results);
      const link = r.headers.get('link');
      if (r.json._links.next) {
        expect(link).toBe(`<${r.json._links.next}>; rel="next"`);
        expect(r.json._links.next).toMatch(/^\/wiki\/api\/v2\/spaces\/\d+\/pages\?.*cursor=/);
      } else expect(link).toBeNull();
      next = r.json._links.next;
    }
    expect(calls).toBe(3);
    expect(seen).toHaveLength(620);
    expect(new Set(seen.map((p) => p.id)).size).toBe(620);
    const ids = seen.map((p) => p.id);
    expect(ids).not.toEqual([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    const top = seen.filter((p) => p.parentId === undefined);
    expect(top.length).toBe(s.space.children(undefined).length);
    expect(top.every((p) => p.parentType === undefined)).toBe(true);
    const child = seen.find((p) => p.parentId !== undefined);
    expect(child).toMatchObject({ parentType: 'page', status: 'current', spaceId: s.space.id, version: { number: expect.any(Number), createdAt: expect.any(String) } });
    expect(typeof child.position).toBe('number');
    // Sibling order can be rebuilt from position alone.
    const kids = seen.filter((p) => p.parentId === top[0].parentId).sort((a, b) => a.position - b.position);
    expect(kids.map((k) => k.id)).toEqual(s.space.children(undefined).map((p) => p.id));
  });

  it('defaults to 25 per page, caps limit at 250, and rejects a bad cursor', async () => {
    const base = `/wiki/api/v2/spaces/${s.space.id}/pages?depth=all&status=current`;
    expect((await get(s, base)).json.results).toHaveLength(25);
    expect((await get(s, `${base}&limit=1000`)).json.results).toHaveLength(250);
    expect((await get(s, `${base}&cursor=%25%25`)).status).toBe(400);
  });

  it('returns one page by id, 404 for an unknown one', async () => {
    const p = s.space.all()[3]!;
    const r = await get(s, `/wiki/api/v2/pages/${p.id}`);
    expect(r.json).toMatchObject({ id: p.id, title: p.title, position: p.position, version: { number: p.version.number } });
    expect((await get(s, '/wiki/api/v2/pages/1')).status).toBe(404);
  });

  it('paginates labels', async () => {
    const p = s.space.all()[0]!;
    s.space.setLabels(p.id, Array.from({ length: 30 }, (_, i) => `label-${String(i).padStart(2, '0')}`));
    const first = await get(s, `/wiki/api/v2/pages/${p.id}/labels`);
    expect(first.json.results).toHaveLength(25);
    const second = await get(s, first.json._links.next);
    expect([...first.json.results, ...second.json.results].map((l: any) => l.name)).toEqual(s.space.get(p.id)!.labels);
    expect(second.json._links.next).toBeUndefined();
  });

  it('supports the CQL subset and paginates search relative to _links.base', async () => {
    const labelled = s.space.all().filter((p) => p.labels.includes('internal') || p.labels.includes('faq'));
    const cql = 'space = "MIX" and TYPE = page AND label IN ("internal", "faq")';
    const ids: string[] = [];
    let url: string | undefined = `${s.apiUrl}/wiki/rest/api/search?cql=${encodeURIComponent(cql)}&limit=20`;
    while (url) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${s.accessToken}` } });
      const body = (await res.json()) as any;
      expect(body._links.base).toBe(`${s.apiUrl}/wiki`);
      ids.push(...body.results.map((r: any) => r.content.id));
      expect(body.results.every((r: any) => r.content.type === 'page')).toBe(true);
      url = body._links.next ? body._links.base + body._links.next : undefined;
    }
    expect(new Set(ids)).toEqual(new Set(labelled.map((p) => p.id)));
    expect(labelled.length).toBeGreaterThan(20);
    const one = await get(s, `/wiki/rest/api/search?cql=${encodeURIComponent("label = 'internal'")}`);
    expect(one.json.results.length).toBe(s.space.all().filter((p) => p.labels.includes('internal')).length);
    expect((await get(s, `/wiki/rest/api/search?cql=${encodeURIComponent('space = "NOPE"')}`)).json.results).toEqual([]);
  });

  it.each(['title ~ "x"', 'space = "MIX" OR type = page', 'ancestor = 123', 'label = ', 'type = attachment'])(
    'rejects unsupported CQL with 400: %s',
    async (cql) => {
      const r = await get(s, `/wiki/rest/api/search?cql=${encodeURIComponent(cql)}`);
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/cql/i);
    },
  );

  it('reports read restrictions of the page itself', async () => {
    const p = s.space.all()[5]!;
    s.space.setRestricted(p.id, { users: ['acc-1'], groups: ['team-a', 'team-b'] });
    const r = await get(s, `/wiki/rest/api/content/${p.id}/restriction/byOperation/read`);
    expect(r.json.operation).toBe('read');
    expect(r.json.restrictions.user).toMatchObject({ size: 1, results: [{ accountId: 'acc-1' }] });
    expect(r.json.restrictions.group.results.map((g: any) => g.name)).toEqual(['team-a', 'team-b']);
    s.space.setRestricted(p.id, false);
    const cleared = await get(s, `/wiki/rest/api/content/${p.id}/restriction/byOperation/read`);
    expect(cleared.json.restrictions.user.size + cleared.json.restrictions.group.size).toBe(0);
    expect((await get(s, '/wiki/rest/api/content/1/restriction/byOperation/read')).status).toBe(404);
  });

  it('401s without a token, 404s an unknown cloud id', async () => {
    expect((await fetch(`${s.apiUrl}/wiki/api/v2/spaces?keys=MIX`)).status).toBe(401);
    expect((await get(s, '/wiki/api/v2/spaces', s.accessToken, `${s.url}/ex/confluence/wrong`)).status).toBe(404);
    expect((await get(s, '/wiki/api/v2/spaces', s.issueToken({ ttlSec: -5 }))).status).toBe(401);
  });
});

describe('REST scopes', () => {
  it('answers 403 on REST for tokens without REST scopes while exports keep working', async () => {
    const s = await start({ space: generateSpace({ shape: 'flat', size: 5 }), restScopes: false });
    try {
      const r = await get(s, '/wiki/api/v2/spaces?keys=GEN');
      expect(r.status).toBe(403);
      expect(r.json.message).toContain('read:space:confluence');
      const e = await fetch(`${s.exportUrl}/bulkExport`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spaceKey: 'GEN' }),
      });
      expect(e.status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('checks the scope of each endpoint for a per-token grant', async () => {
    const s = await start({ space: generateSpace({ shape: 'flat', size: 5 }) });
    try {
      const pagesOnly = s.issueToken({ scopes: ['read:page:confluence'] });
      expect((await get(s, `/wiki/api/v2/spaces/${s.space.id}/pages`, pagesOnly)).status).toBe(200);
      expect((await get(s, `/wiki/rest/api/search?cql=type%20%3D%20page`, pagesOnly)).status).toBe(403);
    } finally {
      await s.stop();
    }
  });
});
