/**
 * The stand-in answers a page of a listing from an index over the space's ids (rest-api.ts
 * `orderOf`), as a real Confluence does. The index must follow the space: a page added or deleted
 * after a first walk shows up, or is gone, in the next one, for the v2 listing and both searches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';

let standIn: StandIn;
beforeAll(async () => {
  standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 600 }) });
});
afterAll(async () => {
  await standIn.stop();
});

/** Every id a cursor walk returns, following `_links.next` (v2: relative to apiUrl; v1: to apiUrl/wiki). */
async function walk(first: string, base: () => string, idOf: (result: Record<string, any>) => string): Promise<string[]> {
  const ids: string[] = [];
  let url: string | undefined = first;
  for (let calls = 0; url; calls++) {
    expect(calls).toBeLessThan(100);
    const res = await fetch(url, { headers: { authorization: `Bearer ${standIn.accessToken}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Record<string, any>[]; _links: { next?: string } };
    ids.push(...body.results.map(idOf));
    url = body._links.next ? `${base()}${body._links.next}` : undefined;
  }
  return ids;
}

const listing = () =>
  walk(`${standIn.apiUrl}/wiki/api/v2/spaces/${standIn.space.id}/pages?depth=all&status=current&limit=250`, () => standIn.apiUrl, (r) => r.id);
const cql = () => encodeURIComponent(`space = "${standIn.space.key}" AND type = page`);
const search = () => walk(`${standIn.apiUrl}/wiki/rest/api/search?cql=${cql()}&limit=100`, () => `${standIn.apiUrl}/wiki`, (r) => r.content.id);
const contentSearch = () =>
  walk(`${standIn.apiUrl}/wiki/rest/api/content/search?cql=${cql()}&expand=metadata.labels&limit=100`, () => `${standIn.apiUrl}/wiki`, (r) => r.id);
const pageIds = () => standIn.space.pages().map((p) => p.id).sort();

describe('the stand-in\'s listings follow the space', () => {
  it('walk every page once, in a stable order, and see pages added and deleted since the last walk', async () => {
    for (const list of [listing, search, contentSearch]) {
      const before = await list();
      expect([...before].sort()).toEqual(pageIds());
      expect(new Set(before).size).toBe(before.length);
      expect(await list()).toEqual(before);
    }

    const added = standIn.space.addPage({ title: 'Added after the first walk', parentId: standIn.space.pages()[3]!.id });
    const gone = standIn.space.pages().find((p) => p.id !== added.id && standIn.space.children(p.id).length === 0)!;
    standIn.space.deletePage(gone.id);
    for (const list of [listing, search, contentSearch]) {
      const after = await list();
      expect(after).toContain(added.id);
      expect(after).not.toContain(gone.id);
      expect([...after].sort()).toEqual(pageIds());
    }
  });
});
