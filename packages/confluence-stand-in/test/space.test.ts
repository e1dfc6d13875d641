import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCLUDED_MARKER, RESTRICTED_MARKER } from '../src/generate.ts';
import { demoSpace, generateSpace, pageIdFromTinyLinkCode, slugify, start, tinyLinkCode, type StandIn } from '../src/index.ts';
import { get, post, unzip } from './helpers.ts';

describe('slugs and tiny links', () => {
  it('lowercases, transliterates, drops other characters and joins words with -', () => {
    expect(slugify('Straße & Co')).toBe('strasse-co');
    expect(slugify('Ærøskøbing — Łódź')).toBe('aeroskobing-lodz');
    expect(slugify('Œuvre: Déjà vu!')).toBe('oeuvre-deja-vu');
    expect(slugify('CI/CD   Pipelines')).toBe('cicd-pipelines');
    expect(slugify('日本語')).toBe('untitled');
  });

  it('encodes page ids as Confluence does, beyond 2^32 too', () => {
    expect(tinyLinkCode(557065)).toBe('CYAI');
    expect(tinyLinkCode('3965071')).toBe('j4A8');
    expect(tinyLinkCode('4986372097')).toBe('AQA2KQE');
    expect(pageIdFromTinyLinkCode('AQA2KQE')).toBe('4986372097');
  });
});

describe('mutations', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await start({ space: generateSpace({ shape: 'balanced', size: 40, seed: 9 }) });
  });
  afterAll(() => s.stop());

  it('bumps version number and createdAt on edits, visible over REST and in exports', async () => {
    const p = s.space.all()[12]!;
    const before = (await get(s, `/wiki/api/v2/pages/${p.id}`)).json.version;
    s.space.updatePage(p.id, { title: 'Renamed Page', body: 'New body.' });
    const after = (await get(s, `/wiki/api/v2/pages/${p.id}`)).json;
    expect(after.version.number).toBe(before.number + 1);
    expect(Date.parse(after.version.createdAt)).toBeGreaterThan(Date.parse(before.createdAt));
    expect(after.title).toBe('Renamed Page');
    const md = await post(s, 'singleExport', { pageId: p.id });
    expect(md.text).toBe('# Renamed Page\n\nNew body.\n');
  });

  it('adds, moves and deletes pages', async () => {
    const [first, second] = s.space.children(undefined);
    const added = s.space.addPage({ title: 'Brand New', parentId: first!.id, body: 'hi' });
    expect(s.space.children(first!.id).at(-1)!.id).toBe(added.id);
    s.space.movePage(added.id, second!.id, -1);
    expect(s.space.children(second!.id)[0]!.id).toBe(added.id);
    const r = await post(s, 'bulkExport', { pageId: second!.id, bulkExport: true });
    const { paths } = await unzip(r.json.zipBase64);
    expect(paths).toContain(`${slugify(second!.title)}/brand-new.md`);
    const child = s.space.children(first!.id)[0]!;
    s.space.deletePage(first!.id);
    expect(s.space.get(first!.id)).toBeUndefined();
    expect(s.space.get(child.id)!.parentId).toBeUndefined();
    expect((await get(s, `/wiki/api/v2/pages/${first!.id}`)).status).toBe(404);
    expect(() => s.space.movePage(second!.id, added.id)).toThrow(/descendant/);
  });

  it('sets labels and restrictions without a new version', async () => {
    const p = s.space.all()[20]!;
    const v = p.version.number;
    s.space.setLabels(p.id, ['internal']);
    s.space.setRestricted(p.id, true);
    expect(s.space.get(p.id)!.version.number).toBe(v);
    const labels = await get(s, `/wiki/api/v2/pages/${p.id}/labels`);
    expect(labels.json.results.map((l: any) => l.name)).toEqual(['internal']);
    const child = s.space.children(p.id)[0];
    if (child) expect(s.space.isEffectivelyRestricted(child.id)).toBe(true);
  });
});

describe('generateSpace', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSpace({ shape: 'mixed', size: 300, seed: 3 });
    expect(generateSpace({ shape: 'mixed', size: 300, seed: 3 })).toEqual(a);
    expect(generateSpace({ shape: 'mixed', size: 300, seed: 4 }).pages.map((p) => p.title)).not.toEqual(a.pages.map((p) => p.title));
  });

  const depthOf = (pages: { id: string; parentId?: string }[]) => {
    const byId = new Map(pages.map((p) => [p.id, p]));
    const depth = (id: string): number => {
      const p = byId.get(id)!;
      return p.parentId ? 1 + depth(p.parentId) : 0;
    };
    return Math.max(...pages.map((p) => depth(p.id)));
  };
  const subtreeSizes = (pages: { id: string; parentId?: string }[]) => {
    const size = new Map<string, number>();
    const byId = new Map(pages.map((p) => [p.id, p]));
    for (const p of pages) for (let q: any = p; q; q = q.parentId ? byId.get(q.parentId) : undefined) size.set(q.id, (size.get(q.id) ?? 0) + 1);
    return pages.filter((p) => !p.parentId).map((p) => size.get(p.id)!);
  };

  it('produces the four shapes', () => {
    const balanced = generateSpace({ shape: 'balanced', size: 1000 }).pages;
    expect(balanced.filter((p) => !p.parentId)).toHaveLength(10);
    expect(depthOf(balanced)).toBe(2);
    const deep = generateSpace({ shape: 'deep', size: 500 }).pages;
    expect(depthOf(deep)).toBeGreaterThanOrEqual(20);
    const flat = generateSpace({ shape: 'flat', size: 300 }).pages;
    expect(flat.filter((p) => !p.parentId)).toHaveLength(1);
    expect(depthOf(flat)).toBe(1);
    const mixed = subtreeSizes(generateSpace({ shape: 'mixed', size: 1000 }).pages);
    expect(mixed.filter((n) => n > 100).length).toBeGreaterThanOrEqual(2);
    expect(mixed.filter((n) => n <= 12).length).toBeGreaterThan(20);
  });

  it('writes realistic bodies with links in every form, and positions unrelated to ids', () => {
    const g = generateSpace({ shape: 'balanced', size: 200, seed: 2 });
    const bodies = g.pages.map((p) => p.body);
    const avg = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
    expect(avg).toBeGreaterThan(2000);
    expect(avg).toBeLessThan(4500);
    const all = bodies.join('\n');
    for (const form of [
      /https:\/\/generated\.atlassian\.net\/wiki\/spaces\/GEN\/pages\/\d+\/[\w+%-]+\)/,
      /\(\/wiki\/spaces\/GEN\/pages\/\d+\)/,
      /\/wiki\/pages\/viewpage\.action\?pageId=\d+/,
      /\/wiki\/display\/GEN\/[\w+%]+/,
      /https:\/\/generated\.atlassian\.net\/wiki\/x\/[\w-]+/,
      /pages\/\d+\/[\w+%-]+#[\w-]+\)/,
      /```\w+\n/,
      /\| --- \|/,
    ]) {
      expect(all).toMatch(form);
    }
    const top = g.pages.filter((p) => !p.parentId);
    const byPosition = [...top].sort((a, b) => a.position - b.position).map((p) => p.id);
    expect(byPosition).not.toEqual(top.map((p) => p.id));
    const restricted = g.pages.filter((p) => p.restricted);
    expect(restricted.length).toBe(2);
    expect(restricted.every((p) => p.body.includes(RESTRICTED_MARKER))).toBe(true);
    expect(g.pages.filter((p) => p.labels?.includes('internal')).every((p) => p.body.includes(EXCLUDED_MARKER))).toBe(true);
  });
});

describe('demo space', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await start(); // the demo space is the default
  });
  afterAll(() => s.stop());

  it('loads the bundled files', () => {
    const d = demoSpace();
    expect(d.key).toBe('DEMO');
    expect(d.pages.length).toBeGreaterThanOrEqual(15);
    expect(d.pages.find((p) => p.id === '4986372097')!.title).toBe('Confluence to Starlight');
    const pngs = d.pages.flatMap((p) => p.attachments ?? []).filter((a) => a.mediaType === 'image/png');
    expect(pngs.length).toBeGreaterThanOrEqual(2);
    for (const a of pngs) expect(Buffer.from(a.data.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
    const pdf = d.pages.flatMap((p) => p.attachments ?? []).find((a) => a.mediaType === 'application/pdf')!;
    expect(Buffer.from(pdf.data).toString('latin1')).toMatch(/^%PDF-1\.\d[\s\S]*%%EOF\n$/);
  });

  it('exports the whole space in one call, markers and attachments included', async () => {
    const r = await post(s, 'bulkExport', { spaceKey: 'DEMO', includeAttachments: true });
    expect(r.status).toBe(200);
    expect(r.json.pageCount).toBe(s.space.size);
    const { paths, zip } = await unzip(r.json.zipBase64);
    expect(paths).toContain('confluence-to-starlight.md');
    expect(paths).toContain('attachments/diagram.png');
    expect(paths).toContain('confluence-to-starlight/guides/attachments/Sync flow.png');
    expect(paths).toContain('confluence-to-starlight/guides/large-spaces/batch-planning.md');
    expect(paths).toContain('confluence-to-starlight/security-review-notes/credential-rotation-log.md');
    const restricted = await zip.file('confluence-to-starlight/security-review-notes.md')!.async('string');
    expect(restricted).toContain('RESTRICTED-MARKER-7f3a');
    const excluded = await zip.file('confluence-to-starlight/maintainer-handbook/release-checklist.md')!.async('string');
    expect(excluded).toContain('EXCLUDED-MARKER-2c9d');
    const home = await zip.file('confluence-to-starlight.md')!.async('string');
    expect(home.startsWith('# Confluence to Starlight\n\n')).toBe(true);
    expect(home).toContain(`${s.url}/wiki/spaces/DEMO/pages/4986373889/Quick+start`);
  });

  it('marks the restricted page and the internal label over REST', async () => {
    const r = await get(s, '/wiki/rest/api/content/4986376705/restriction/byOperation/read');
    expect(r.json.restrictions.group.results[0].name).toBe('docs-maintainers');
    const child = await get(s, '/wiki/rest/api/content/4986376961/restriction/byOperation/read');
    expect(child.json.restrictions.user.size + child.json.restrictions.group.size).toBe(0);
    const search = await get(s, `/wiki/rest/api/search?cql=${encodeURIComponent('space = "DEMO" AND label = "internal"')}`);
    expect(search.json.results.map((x: any) => x.content.id)).toEqual(['4986377217']);
  });
});
