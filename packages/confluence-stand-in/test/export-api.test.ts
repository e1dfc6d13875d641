import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_ID, CAUSES, ENV_IDS, generateSpace, start, type SpaceSpec, type StandIn } from '../src/index.ts';
import { post, rawEntryNames, unzip } from './helpers.ts';

/** A small hand-made space: positions deliberately disagree with id order. */
function smallSpace(): SpaceSpec {
  return {
    key: 'SML',
    name: 'Small',
    id: '42',
    site: 'small.atlassian.net',
    pages: [
      { id: '300', title: 'Zeta Root', position: 2, body: 'Zeta body.' },
      { id: '100', title: 'Alpha Root', position: 1, body: 'Alpha body, see https://small.atlassian.net/wiki/x/ZAA.' },
      { id: '200', title: 'Straße & Café', parentId: '100', position: 5, body: 'Special.' },
      { id: '150', title: 'Child One', parentId: '100', position: 9, body: 'One.' },
      { id: '160', title: 'Grandchild', parentId: '150', position: 0, body: 'Deep.' },
      { id: '400', title: 'Setup Guide', parentId: '300', position: 0, body: 'First.' },
      { id: '401', title: 'Setup & Guide', parentId: '300', position: 1, body: 'Second.' },
      { id: '500', title: 'Secret', parentId: '300', position: 2, body: 'hidden', restricted: { groups: ['admins'] }, labels: ['internal'] },
    ],
  };
}

describe('export API', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await start({ space: smallSpace() });
  });
  afterAll(() => s.stop());
  beforeEach(() => {
    s.clearFaults();
    s.resetLog();
  });

  it('answers 400 with the documented cause when neither spaceKey nor pageId is given', async () => {
    const r = await post(s, 'bulkExport', { maxPages: 10 });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ success: false, message: expect.stringContaining(CAUSES[400]) });
  });

  it('validates maxPages: non-integers and values below 1 are 400, above 100 are clamped', async () => {
    expect((await post(s, 'bulkExport', { spaceKey: 'SML', maxPages: 0 })).status).toBe(400);
    expect((await post(s, 'bulkExport', { spaceKey: 'SML', maxPages: 2.5 })).status).toBe(400);
    expect((await post(s, 'bulkExport', { spaceKey: 'SML', maxPages: '10' })).status).toBe(400);
    expect((await post(s, 'bulkExport', { spaceKey: 'SML', maxPages: 1000 })).json.pageCount).toBe(8);
  });

  it('404s for an unknown space or page', async () => {
    const a = await post(s, 'bulkExport', { spaceKey: 'NOPE' });
    expect(a.status).toBe(404);
    expect(a.json.message).toContain(CAUSES[404]);
    expect((await post(s, 'bulkExport', { pageId: '999999' })).status).toBe(404);
    expect((await post(s, 'singleExport', { pageId: '999999' })).status).toBe(404);
  });

  it('exports a space depth-first in position order with the documented layout and slugs', async () => {
    const r = await post(s, 'bulkExport', { spaceKey: 'SML' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ success: true, spaceKey: 'SML', pageId: null, pageCount: 8 });
    expect(r.json.exportId).toMatch(/^[0-9a-f-]{36}$/);
    const { paths, zip } = await unzip(r.json.zipBase64);
    expect(paths.filter((p) => p.endsWith('.md'))).toEqual([
      'alpha-root.md',
      'alpha-root/strasse-cafe.md',
      'alpha-root/child-one.md',
      'alpha-root/child-one/grandchild.md',
      'zeta-root.md',
      'zeta-root/setup-guide.md',
      'zeta-root/setup-guide-2.md',
      'zeta-root/secret.md',
    ]);
    expect(await zip.file('alpha-root/strasse-cafe.md')!.async('string')).toBe('# Straße & Café\n\nSpecial.\n');
    // Restricted and labelled pages are exported: the app sees them; filtering is the loader's job.
    expect(await zip.file('zeta-root/secret.md')!.async('string')).toContain('hidden');
    // Absolute links name the stand-in's own origin, which is what the loader is told the site is.
    expect(await zip.file('alpha-root.md')!.async('string')).toContain(`${s.url}/wiki/x/ZAA`);
  });

  it('truncates at maxPages, default 50 and cap 100', async () => {
    const big = await start({ space: generateSpace({ shape: 'flat', size: 130, seed: 4 }) });
    try {
      expect((await post(big, 'bulkExport', { spaceKey: 'GEN' })).json.pageCount).toBe(50);
      expect((await post(big, 'bulkExport', { spaceKey: 'GEN', maxPages: 7 })).json.pageCount).toBe(7);
      const capped = await post(big, 'bulkExport', { spaceKey: 'GEN', maxPages: 150 });
      expect(capped.json.pageCount).toBe(100);
      const { paths } = await unzip(capped.json.zipBase64);
      expect(paths.filter((p) => p.endsWith('.md'))).toHaveLength(100);
    } finally {
      await big.stop();
    }
  });

  it('lets pageId win over spaceKey and roots the archive at that page', async () => {
    const r = await post(s, 'bulkExport', { spaceKey: 'SML', pageId: '100', bulkExport: true });
    expect(r.json).toMatchObject({ spaceKey: null, pageId: '100', pageCount: 4 });
    const { paths } = await unzip(r.json.zipBase64);
    expect(paths.filter((p) => p.endsWith('.md'))).toEqual([
      'alpha-root.md',
      'alpha-root/strasse-cafe.md',
      'alpha-root/child-one.md',
      'alpha-root/child-one/grandchild.md',
    ]);
    const single = await post(s, 'bulkExport', { pageId: '150' });
    expect(single.json.pageCount).toBe(1);
    expect((await unzip(single.json.zipBase64)).paths).toEqual(['child-one.md']);
    const truncated = await post(s, 'bulkExport', { pageId: '100', bulkExport: true, maxPages: 2 });
    expect(truncated.json.pageCount).toBe(2);
  });

  it('can write two entries with the same name for colliding sibling slugs', async () => {
    const dup = await start({ space: smallSpace(), slugCollision: 'duplicate-entry' });
    try {
      const r = await post(dup, 'bulkExport', { pageId: '300', bulkExport: true });
      const names = rawEntryNames(r.json.zipBase64).filter((n) => n === 'zeta-root/setup-guide.md');
      expect(names).toHaveLength(2);
    } finally {
      await dup.stop();
    }
  });

  it('gives byte-identical archives for identical content', async () => {
    const a = await post(s, 'bulkExport', { spaceKey: 'SML' });
    const b = await post(s, 'bulkExport', { spaceKey: 'SML' });
    expect(a.json.zipBase64).toBe(b.json.zipBase64);
    expect(a.json.exportId).not.toBe(b.json.exportId);
  });

  it('singleExport answers text/plain Markdown, or JSON with a ZIP when attachments are asked for', async () => {
    const r = await post(s, 'singleExport', { pageId: '160' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toBe('# Grandchild\n\nDeep.\n');
    const z = await post(s, 'singleExport', { pageId: '160', includeAttachments: true });
    expect(z.json).toMatchObject({ success: true, pageId: '160', title: 'Grandchild' });
    expect((await unzip(z.json.zipBase64)).paths).toEqual(['grandchild.md']);
    expect((await post(s, 'singleExport', {})).status).toBe(400);
  });

  it('counts and logs requests', async () => {
    await post(s, 'bulkExport', { spaceKey: 'SML' });
    await post(s, 'singleExport', { pageId: '160' });
    expect(s.counters).toMatchObject({ export: 2, bulkExport: 1, singleExport: 1 });
    expect(s.log.map((e) => [e.kind, e.status, (e.body as any).pageId ?? (e.body as any).spaceKey])).toEqual([
      ['export', 200, 'SML'],
      ['export', 200, '160'],
    ]);
  });
});

describe('URL forms, environments and auth', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await start({ space: smallSpace(), envs: ['production', 'staging'] });
  });
  afterAll(() => s.stop());

  it('serves both URL forms for every installed environment', async () => {
    for (const env of ['production', 'staging'] as const) {
      expect((await post(s, 'bulkExport', { pageId: '160' }, s.accessToken, s.exportUrls[env])).status).toBe(200);
      expect((await post(s, 'bulkExport', { pageId: '160' }, s.accessToken, s.gatewayExportUrl(env))).status).toBe(200);
    }
    expect(s.exportUrl).toBe(`${s.url}/svc/confluence/${s.cloudId}/apps/${APP_ID}_${ENV_IDS.production}`);
  });

  it('answers 403 with the documented cause for unknown app or env ids and uninstalled envs', async () => {
    const bad = `${s.url}/svc/confluence/${s.cloudId}/apps/${APP_ID}_00000000-0000-0000-0000-000000000000`;
    const r = await post(s, 'bulkExport', { pageId: '160' }, s.accessToken, bad);
    expect(r.status).toBe(403);
    expect(r.json.message).toContain(CAUSES[403]);
    const otherApp = `${s.url}/gateway/api/svc/confluence/apps/11111111-1593-4dd0-99a3-a098b3959067_${ENV_IDS.production}`;
    expect((await post(s, 'bulkExport', { pageId: '160' }, s.accessToken, otherApp)).status).toBe(403);
    expect((await post(s, 'bulkExport', { pageId: '160' }, s.accessToken, s.exportUrls.development)).status).toBe(403);
  });

  it('403s a token bound to another environment, and every call when App REST APIs are off', async () => {
    const stagingToken = s.issueToken({ env: 'staging' });
    expect((await post(s, 'bulkExport', { pageId: '160' }, stagingToken)).status).toBe(403);
    expect((await post(s, 'bulkExport', { pageId: '160' }, stagingToken, s.exportUrls.staging)).status).toBe(200);
    const off = await start({ space: smallSpace(), appRestApisEnabled: false });
    try {
      expect((await post(off, 'bulkExport', { pageId: '160' })).status).toBe(403);
    } finally {
      await off.stop();
    }
  });

  it('404s an unknown cloud id', async () => {
    const base = `${s.url}/svc/confluence/not-a-cloud/apps/${APP_ID}_${ENV_IDS.production}`;
    expect((await post(s, 'bulkExport', { pageId: '160' }, s.accessToken, base)).status).toBe(404);
  });

  it('401s missing, unknown, expired and under-scoped tokens with the documented cause', async () => {
    const noAuth = await fetch(`${s.exportUrl}/bulkExport`, { method: 'POST', body: '{"pageId":"160"}' });
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as any).message).toContain(CAUSES[401]);
    expect((await post(s, 'bulkExport', { pageId: '160' }, 'nonsense')).status).toBe(401);
    const expired = await post(s, 'bulkExport', { pageId: '160' }, s.issueToken({ ttlSec: -1 }));
    expect(expired.status).toBe(401);
    expect(expired.json.message).toContain('expired');
    const restOnly = s.issueToken({ scopes: ['read:page:confluence'] });
    const scoped = await post(s, 'bulkExport', { pageId: '160' }, restOnly);
    expect(scoped.status).toBe(401);
    expect(scoped.json.message).toContain('export:markdown:custom');
  });

  it('tenant_info gives the cloud id without auth', async () => {
    const r = await fetch(`http://${s.site}/_edge/tenant_info`);
    expect(await r.json()).toEqual({ cloudId: s.cloudId });
  });
});
