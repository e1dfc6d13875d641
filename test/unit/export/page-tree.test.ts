import { describe, expect, it } from 'vitest';
import { matchArchive, pagesInArchive, titleOf, treeFromArchive } from '../../../packages/astro-loader-confluence/src/export/page-tree.ts';
import { buildSpaceTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import type { ArchiveFile } from '../../../packages/astro-loader-confluence/src/types.ts';
import { idOf, page, treeFromSpec } from '../../helpers/tree.ts';

const encoder = new TextEncoder();
const md = (path: string, title: string, body = ''): ArchiveFile => ({ path, data: encoder.encode(`# ${title}\n\n${body}`) });
const bin = (path: string): ArchiveFile => ({ path, data: new Uint8Array([1, 2, 3]) });

describe('titleOf', () => {
  it('reads the first level-one heading', () => {
    expect(titleOf('# Setup guide\n\nText')).toBe('Setup guide');
    expect(titleOf('intro\n\n## Not this\n# Real title  \n')).toBe('Real title');
    expect(titleOf('   # Indented up to three\n')).toBe('Indented up to three');
  });

  it('drops a closing sequence of hashes', () => {
    expect(titleOf('# Release notes ##\n')).toBe('Release notes');
  });

  it('has no title without a level-one heading', () => {
    expect(titleOf('## Only a subheading\ntext')).toBeUndefined();
    expect(titleOf('#NoSpace\n')).toBeUndefined();
    expect(titleOf('    # code block indent\n')).toBeUndefined();
  });
});

describe('pagesInArchive', () => {
  it('groups pages by folder: {slug}.md at the root, children in {slug}/', () => {
    const byFolder = pagesInArchive([
      md('home.md', 'Home'),
      md('home/guides.md', 'Guides'),
      md('home/guides/setup.md', 'Setup'),
      md('home/api.md', 'API'),
      { path: 'home/notes.txt', data: encoder.encode('not a page') },
    ]);
    expect([...byFolder.keys()].sort()).toEqual(['', 'home', 'home/guides']);
    expect(byFolder.get('home')!.map((p) => p.title)).toEqual(['API', 'Guides']);
    const setup = byFolder.get('home/guides')![0]!;
    expect(setup.archivePath).toBe('home/guides/setup.md');
    expect(setup.markdown.startsWith('# Setup')).toBe(true);
  });

  it('takes the title from the heading, else from the file name', () => {
    const byFolder = pagesInArchive([md('a.md', 'The real Title'), { path: 'b.md', data: encoder.encode('no heading') }]);
    expect(byFolder.get('')!.map((p) => p.title)).toEqual(['The real Title', 'b']);
  });

  it('gives a lone page the attachments/ folder beside it, not shared', () => {
    const byFolder = pagesInArchive([md('home.md', 'Home'), md('home/setup.md', 'Setup'), bin('home/attachments/diagram.png'), bin('home/attachments/My File.pdf')]);
    const setup = byFolder.get('home')![0]!;
    expect(Object.fromEntries(setup.attachments)).toEqual({
      'diagram.png': 'home/attachments/diagram.png',
      'My File.pdf': 'home/attachments/My File.pdf',
    });
    expect(setup.attachmentsShared).toBe(false);
    expect(byFolder.get('')![0]!.attachments.size).toBe(0);
    expect(byFolder.has('home/attachments')).toBe(false);
  });

  it('marks an attachments/ folder shared between siblings', () => {
    const byFolder = pagesInArchive([md('a.md', 'A'), md('b.md', 'B'), bin('attachments/x.png')]);
    for (const p of byFolder.get('')!) {
      expect(p.attachments.get('x.png')).toBe('attachments/x.png');
      expect(p.attachmentsShared).toBe(true);
    }
  });

  it('treats a Markdown file inside attachments/ as an attachment', () => {
    const byFolder = pagesInArchive([md('a.md', 'A'), md('attachments/readme.md', 'Readme')]);
    expect(byFolder.get('')!.map((p) => p.title)).toEqual(['A']);
    expect(byFolder.get('')![0]!.attachments.get('readme.md')).toBe('attachments/readme.md');
  });

  it('reads attachments/ as the children of a page titled "Attachments"', () => {
    const byFolder = pagesInArchive([md('attachments.md', 'Attachments'), md('attachments/policy.md', 'Policy'), md('other.md', 'Other')]);
    expect(byFolder.get('attachments')!.map((p) => p.title)).toEqual(['Policy']);
    expect(byFolder.get('')!.every((p) => p.attachments.size === 0)).toBe(true);
  });
});

describe('matchArchive', () => {
  const spaceTree = () => treeFromSpec({ Home: { Guides: { Setup: {}, Deploy: {} }, 'API Reference': {} } });

  it('matches every page of a batch by title, recursing into children folders', () => {
    const tree = spaceTree();
    const byFolder = pagesInArchive([
      md('home.md', 'Home'),
      md('home/guides.md', 'Guides'),
      md('home/guides/setup.md', 'Setup'),
      md('home/guides/deploy.md', 'Deploy'),
      md('home/api-reference.md', 'API Reference'),
    ]);
    const result = matchArchive(byFolder, [idOf(tree, 'Home')], tree);
    expect(result.missing).toEqual([]);
    expect(result.unexpected).toEqual([]);
    const paths = Object.fromEntries([...result.matched].map(([id, p]) => [tree.pages.get(id)!.title, p.archivePath]));
    expect(paths).toEqual({
      Home: 'home.md',
      Guides: 'home/guides.md',
      Setup: 'home/guides/setup.md',
      Deploy: 'home/guides/deploy.md',
      'API Reference': 'home/api-reference.md',
    });
  });

  it('matches by slug when the heading differs from the Confluence title', () => {
    const tree = spaceTree();
    const byFolder = pagesInArchive([md('guides.md', 'Guides (renamed in the export)'), md('guides/setup.md', 'Setup')]);
    const result = matchArchive(byFolder, [idOf(tree, 'Guides')], tree);
    expect(result.matched.get(idOf(tree, 'Guides'))!.archivePath).toBe('guides.md');
    expect(result.missing).toEqual([idOf(tree, 'Deploy')]);
  });

  it('matches a suffixed slug (-2) to a sibling whose title slugifies like another', () => {
    const tree = buildSpaceTree([page('1', 'Home'), page('2', 'FAQ', '1', 1), page('3', 'F.A.Q.', '1', 2)]);
    const byFolder = pagesInArchive([md('home.md', 'Home'), md('home/faq.md', 'Frequently asked'), md('home/faq-2.md', 'Also frequently asked')]);
    const result = matchArchive(byFolder, ['1'], tree);
    expect(result.missing).toEqual([]);
    expect(new Set([result.matched.get('2')!.archivePath, result.matched.get('3')!.archivePath])).toEqual(
      new Set(['home/faq.md', 'home/faq-2.md']),
    );
  });

  it('prefers the exact title over a file name that fits another sibling', () => {
    const tree = buildSpaceTree([page('1', 'Home'), page('2', 'Setup', '1', 1), page('3', 'Setup!', '1', 2)]);
    const byFolder = pagesInArchive([md('home.md', 'Home'), md('home/setup.md', 'Setup!'), md('home/setup-2.md', 'Setup')]);
    const result = matchArchive(byFolder, ['1'], tree);
    expect(result.matched.get('2')!.archivePath).toBe('home/setup-2.md');
    expect(result.matched.get('3')!.archivePath).toBe('home/setup.md');
  });

  it('reports missing pages with their descendants, and files nobody expected', () => {
    const tree = spaceTree();
    const byFolder = pagesInArchive([md('home.md', 'Home'), md('home/api-reference.md', 'API Reference'), md('home/stray.md', 'Stray')]);
    const result = matchArchive(byFolder, [idOf(tree, 'Home')], tree);
    expect(result.missing.sort()).toEqual([idOf(tree, 'Guides'), idOf(tree, 'Setup'), idOf(tree, 'Deploy')].sort());
    expect(result.unexpected.map((p) => p.archivePath)).toEqual(['home/stray.md']);
  });

  it('with recurse: false matches only the root folder (a single-page export)', () => {
    const tree = spaceTree();
    const byFolder = pagesInArchive([md('guides.md', 'Guides')]);
    const result = matchArchive(byFolder, [idOf(tree, 'Guides')], tree, { recurse: false });
    expect([...result.matched.keys()]).toEqual([idOf(tree, 'Guides')]);
    expect(result.missing).toEqual([]);
  });

  it('matches the top-level pages of a space export', () => {
    const tree = treeFromSpec({ One: { Kid: {} }, Two: {} });
    const byFolder = pagesInArchive([md('one.md', 'One'), md('one/kid.md', 'Kid'), md('two.md', 'Two')]);
    const result = matchArchive(byFolder, tree.roots, tree);
    expect(result.matched.size).toBe(3);
  });
});

describe('treeFromArchive', () => {
  it('derives ids, parents and positions from paths', () => {
    const byFolder = pagesInArchive([md('home.md', 'Home'), md('home/b.md', 'Bee'), md('home/a.md', 'Ay'), md('home/a/x.md', 'Ex')]);
    const { pages } = treeFromArchive(byFolder);
    const view = pages.map(({ id, title, parentId, position }) => ({ id, title, parentId, position }));
    expect(view).toEqual([
      { id: 'path:home', title: 'Home', parentId: undefined, position: 0 },
      { id: 'path:home/a', title: 'Ay', parentId: 'path:home', position: 0 },
      { id: 'path:home/a/x', title: 'Ex', parentId: 'path:home/a', position: 0 },
      { id: 'path:home/b', title: 'Bee', parentId: 'path:home', position: 1 },
    ]);
    expect(pages[1]!.exported.archivePath).toBe('home/a.md');
  });

  it('builds a space tree the rest of the pipeline can use', () => {
    const { pages } = treeFromArchive(pagesInArchive([md('a.md', 'A'), md('a/b.md', 'B'), md('c.md', 'C')]));
    const tree = buildSpaceTree(pages.map(({ id, title, parentId, position }) => ({ id, title, parentId, position, version: { number: 1 } })));
    expect(tree.roots).toEqual(['path:a', 'path:c']);
    expect(tree.children.get('path:a')).toEqual(['path:a/b']);
  });
});

describe('titleOf and hashes that belong to the title', () => {
  it.each([
    ['# C#\n', 'C#'],
    ['# F# and C#\n', 'F# and C#'],
    ['# C# #\n', 'C#'],
    ['# Title ##\n', 'Title'],
  ])('reads %j as %j', (markdown, title) => {
    expect(titleOf(markdown)).toBe(title);
  });
});
