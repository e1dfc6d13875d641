import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { confluenceSidebar, flattenLinks } from '../../../packages/astro-loader-confluence/src/starlight/sidebar.ts';
import {
  homeIdOf,
  indexVersions,
  partitionByVersion,
  versionEntryId,
  versionMenu,
  type DocsVersionRef,
  type VersionedEntry,
} from '../../../packages/astro-loader-confluence/src/starlight/version-switcher.ts';
import {
  asVersionEntry,
  checkVersionCollisions,
  discoverVersions,
  resolveVersions,
  versionBase,
  versionCacheCollection,
} from '../../../packages/astro-loader-confluence/src/sources/versions.ts';

const v1: DocsVersionRef = { slug: 'v1', label: 'v1.0', order: 0 };
const v2: DocsVersionRef = { slug: 'v2', label: 'v2.0', order: 1 };

type Entry = VersionedEntry & { data: { confluence: { id: string; parentId?: string; position: number; docsVersion?: DocsVersionRef } } };

const page = (id: string, title: string, pageId: string, parentId?: string, position = 0, version?: DocsVersionRef): Entry => ({
  id,
  data: { title, confluence: { id: pageId, parentId, position, ...(version ? { docsVersion: version } : {}) } },
});

/** Live docs with a renamed page and a page v1 never had; v1 with a page removed since. */
const site = (): Entry[] => [
  page('index', 'Home', '1'),
  page('guides', 'Guides', '10', '1', 1),
  page('guides/setup-guide', 'Setup guide', '11', '10', 1),
  page('guides/new-feature', 'New feature', '12', '10', 2),
  page('v1', 'Home', '1', undefined, 0, v1),
  page('v1/guides', 'Guides', '10', '1', 1, v1),
  page('v1/guides/setup', 'Setup', '11', '10', 1, v1),
  page('v1/guides/legacy', 'Legacy', '13', '10', 2, v1),
];

describe('version paths', () => {
  it('puts a version under its slug, its home page at the slug itself', () => {
    expect(versionEntryId('v1', '')).toBe('v1');
    expect(versionEntryId('v1', 'guides/setup')).toBe('v1/guides/setup');
    expect(versionBase('/', 'v1')).toBe('/v1/');
    expect(versionBase('/docs', 'v1')).toBe('/docs/v1/');
    expect(versionBase('/docs/', '1.2')).toBe('/docs/1.2/');
    expect(homeIdOf('')).toBe('index');
    expect(homeIdOf('v1')).toBe('v1');
    expect(versionCacheCollection('docs', 'v1')).toBe('docs/versions/v1');
  });

  it('turns a pipeline entry into the version entry: id under the slug, version recorded, no edit link', () => {
    const built = { id: 'index', filePath: 'site/content/docs/v1/index.md', body: 'x', data: { title: 'Home', editUrl: 'https://acme/edit', confluence: { id: '1', position: 0, version: 3 } } };
    const home = asVersionEntry(built, v1);
    expect(home.id).toBe('v1');
    expect(home.data.editUrl).toBe(false);
    expect(home.data.confluence).toEqual({ id: '1', position: 0, version: 3, docsVersion: v1 });
    expect(home.filePath).toBe(built.filePath);
    expect(built.data.editUrl).toBe('https://acme/edit');
    expect(asVersionEntry({ ...built, id: 'guides/setup' }, v1).id).toBe('v1/guides/setup');
  });

  it('refuses a live page whose URL lies under a version', () => {
    expect(() => checkVersionCollisions(['index', 'guides', 'v1x/page'], [v1])).not.toThrow();
    expect(() => checkVersionCollisions(['index', 'v1/notes'], [v1])).toThrow(/\/v1\/notes\/.*version "v1"/);
    expect(() => checkVersionCollisions(['v1'], [v1])).toThrow(ConfigError);
  });
});

describe('resolving versions', () => {
  let root = '';
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const snapshot = (dir: string, takenAt: string, site = 'acme.atlassian.net') => {
    mkdirSync(join(root, dir, 'pages'), { recursive: true });
    writeFileSync(join(root, dir, 'manifest.json'), JSON.stringify({ format: 1, tool: 't', takenAt, source: { site }, pages: [], roots: [], exportCalls: 0, attachments: {} }));
  };

  it('takes configured versions in order, then discovered ones newest first, with labels and the site from each manifest', async () => {
    root = mkdtempSync(join(tmpdir(), 'versions-'));
    snapshot('snaps/one', '2025-01-01T00:00:00.000Z', 'old.atlassian.net');
    snapshot('versions/1.0', '2025-02-01T00:00:00.000Z');
    snapshot('versions/2.0', '2025-06-01T00:00:00.000Z');
    mkdirSync(join(root, 'versions', 'not-a-snapshot'));
    const versions = await resolveVersions({ versions: [{ slug: 'legacy', label: ' Legacy ', snapshot: 'snaps/one' }], versionsDir: 'versions' }, root);
    expect(versions.map(({ slug, label, order, site }) => ({ slug, label, order, site }))).toEqual([
      { slug: 'legacy', label: 'Legacy', order: 0, site: 'old.atlassian.net' },
      { slug: '2.0', label: '2.0', order: 1, site: 'acme.atlassian.net' },
      { slug: '1.0', label: '1.0', order: 2, site: 'acme.atlassian.net' },
    ]);
    expect(versions[0]!.snapshot).toBe(join(root, 'snaps/one'));
    expect((await discoverVersions(join(root, 'versions'))).map((v) => v.slug)).toEqual(['2.0', '1.0']);
  });

  it('names the problem: bad or reserved slugs, duplicates, a missing folder or manifest', async () => {
    root = mkdtempSync(join(tmpdir(), 'versions-'));
    snapshot('a', '2025-01-01T00:00:00.000Z');
    for (const slug of ['', '../up', 'a/b', '_astro', 'pagefind', '-v1', 'v 1']) {
      await expect(resolveVersions({ versions: [{ slug, snapshot: 'a' }] }, root), slug).rejects.toThrow(/cannot be a version slug/);
    }
    await expect(resolveVersions({ versions: [{ slug: 'v1', snapshot: 'a' }, { slug: 'v1', snapshot: 'a' }] }, root)).rejects.toThrow(/Two versions have the slug "v1"/);
    await expect(resolveVersions({ versions: [{ slug: 'v1', snapshot: '' }] }, root)).rejects.toThrow(/names no snapshot folder/);
    await expect(resolveVersions({ versions: [{ slug: 'v1', snapshot: 'missing' }] }, root)).rejects.toThrow(/missing.*not a snapshot/);
    await expect(resolveVersions({ versionsDir: 'nowhere' }, root)).rejects.toThrow(/versions directory .*nowhere does not exist/);
    expect(await resolveVersions({}, root)).toEqual([]);
  });
});

describe('the version switcher', () => {
  const index = indexVersions(site());
  const menu = (id: string, base = '/') => versionMenu(index, site().find((entry) => entry.id === id)!, base, 'Latest');

  it('offers the live docs first, then the versions in order, the current one marked', () => {
    const items = menu('guides');
    expect(items.map(({ label, current }) => [label, current])).toEqual([['Latest', true], ['v1.0', false]]);
    expect(menu('v1/guides').map((item) => item.current)).toEqual([false, true]);
  });

  it('stays on the same Confluence page, even where a rename moved it', () => {
    expect(menu('guides/setup-guide').map((item) => item.href)).toEqual(['/guides/setup-guide/', '/v1/guides/setup/']);
    expect(menu('v1/guides/setup').map((item) => item.href)).toEqual(['/guides/setup-guide/', '/v1/guides/setup/']);
    expect(menu('index').map((item) => item.href)).toEqual(['/', '/v1/']);
    expect(menu('v1').map((item) => item.href)).toEqual(['/', '/v1/']);
  });

  it("leads to the version's home page when it has no such page", () => {
    expect(menu('guides/new-feature').map((item) => item.href)).toEqual(['/guides/new-feature/', '/v1/']);
    expect(menu('v1/guides/legacy').map((item) => item.href)).toEqual(['/', '/v1/guides/legacy/']);
  });

  it('falls back to the same path for pages that are not from Confluence, and honours the base', () => {
    const entries = [...site(), { id: 'about', data: { title: 'About' } }, { id: 'v1/about', data: { title: 'About', confluence: undefined } }];
    const about = versionMenu(indexVersions(entries), { id: 'about', data: { title: 'About' } }, '/docs/', 'Latest');
    expect(about.map((item) => item.href)).toEqual(['/docs/about/', '/docs/v1/']);
  });

  it('orders several versions as configured and shows nothing on a single-version site', () => {
    const entries = [...site(), page('v2', 'Home', '1', undefined, 0, v2), page('v2/guides', 'Guides', '10', '1', 1, v2)];
    const items = versionMenu(indexVersions(entries.reverse()), entries.find((entry) => entry.id === 'v2/guides')!, '/', 'Current');
    expect(items.map((item) => [item.label, item.href])).toEqual([['Current', '/guides/'], ['v1.0', '/v1/guides/'], ['v2.0', '/v2/guides/']]);
    const live = site().filter((entry) => !entry.data.confluence.docsVersion);
    expect(versionMenu(indexVersions(live), live[0]!, '/', 'Latest')).toEqual([]);
  });
});

describe('per-version sidebars', () => {
  it('gives each version its own tree, headed by its own home page, linking only inside it', () => {
    const parts = partitionByVersion(site());
    expect([...parts.keys()]).toEqual(['', 'v1']);
    const live = confluenceSidebar(parts.get('')!, '/', homeIdOf(''))!;
    const v1Tree = confluenceSidebar(parts.get('v1')!, '/', homeIdOf('v1'))!;
    expect(flattenLinks(live).map((link) => link.href)).toEqual(['/', '/guides/', '/guides/setup-guide/', '/guides/new-feature/']);
    expect(flattenLinks(v1Tree).map((link) => link.href)).toEqual(['/v1/', '/v1/guides/', '/v1/guides/setup/', '/v1/guides/legacy/']);
    // Home first, then its children as the top level, as for the live docs.
    expect(v1Tree[0]).toMatchObject({ type: 'link', label: 'Home', href: '/v1/' });
    expect(v1Tree[1]).toMatchObject({ type: 'group', label: 'Guides' });
  });
});
