import { describe, expect, it } from 'vitest';
import { matchBatch, titleOf, treeFromArchive } from '../../../packages/astro-loader-confluence/src/export/page-tree.ts';
import { attachmentReferences } from '../../../packages/astro-loader-confluence/src/rewrite/references.ts';
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

const refs = attachmentReferences;

describe('matchBatch: a single-page export', () => {
  it('takes the one page file at the root as the page asked for, whatever its file name, if its title line says so', () => {
    const tree = treeFromSpec({ Home: { Guides: {} } });
    const match = matchBatch([md('page-3f2c1b.md', 'guides')], { kind: 'single', pageId: idOf(tree, 'Guides') }, tree, refs);
    expect(match.ok && [...match.pages.keys()]).toEqual([idOf(tree, 'Guides')]);
    const other = matchBatch([md('guides.md', 'Something else entirely')], { kind: 'single', pageId: idOf(tree, 'Guides') }, tree, refs);
    expect(other.ok || other.problem).toMatch(/title line is not that page's/);
  });

  it('refuses an archive with no page file, or with more than one, at its root', () => {
    const tree = treeFromSpec({ Home: {} });
    const batch = { kind: 'single', pageId: idOf(tree, 'Home') } as const;
    const none = matchBatch([bin('attachments/x.png')], batch, tree, refs);
    expect(none.ok).toBe(false);
    const two = matchBatch([md('home.md', 'Home'), md('other.md', 'Home')], batch, tree, refs);
    expect(two.ok || two.problem).toMatch(/2 page files at its root/);
  });

  it('refuses page files anywhere else in a single-page archive', () => {
    const tree = treeFromSpec({ Home: { Kid: {} } });
    const match = matchBatch([md('home.md', 'Home'), md('home/kid.md', 'Kid')], { kind: 'single', pageId: idOf(tree, 'Home') }, tree, refs);
    expect(match.ok || match.problem).toMatch(/1 page file\(s\) that match no page asked for/);
  });

  it('keeps only the attachments the page references, parsed, not mentioned', () => {
    const tree = treeFromSpec({ Home: {} });
    const body = 'See ![a](attachments/a.png) and the file metadata.png named in text, and `attachments/code.png` in code.';
    const match = matchBatch([md('home.md', 'Home', body), bin('attachments/a.png'), bin('attachments/metadata.png'), bin('attachments/code.png')], { kind: 'single', pageId: idOf(tree, 'Home') }, tree, refs);
    if (!match.ok) throw new Error(match.problem);
    expect([...match.pages.get(idOf(tree, 'Home'))!.attachments.keys()]).toEqual(['a.png']);
  });

  it('reads attachments/ as attachments for a page titled "Attachments" exported alone', () => {
    const tree = treeFromSpec({ Attachments: {} });
    const match = matchBatch([md('attachments.md', 'Attachments', '[doc](attachments/readme.md)'), md('attachments/readme.md', 'Not a page')], { kind: 'single', pageId: idOf(tree, 'Attachments') }, tree, refs);
    if (!match.ok) throw new Error(match.problem);
    expect([...match.pages.get(idOf(tree, 'Attachments'))!.attachments.keys()]).toEqual(['readme.md']);
  });

  it('lists referenced files the archive does not hold', () => {
    const tree = treeFromSpec({ Home: {} });
    const match = matchBatch([md('home.md', 'Home', '![big](attachments/big.png) ![there](attachments/small.png)'), bin('attachments/small.png')], { kind: 'single', pageId: idOf(tree, 'Home') }, tree, refs);
    if (!match.ok) throw new Error(match.problem);
    expect(match.pages.get(idOf(tree, 'Home'))!.missingAttachments).toEqual(['big.png']);
  });
});

describe('matchBatch: a bulk export', () => {
  const tree = () => treeFromSpec({ Home: { Guides: { Setup: {}, Deploy: {} }, 'API Reference': {} } });
  const batch = (t: ReturnType<typeof tree>) => ({ kind: 'subtree', pageId: idOf(t, 'Home'), pageCount: 5 }) as const;

  it('matches every page by its folder and title line, recursing into children folders', () => {
    const t = tree();
    const match = matchBatch([md('home.md', 'Home'), md('home/guides.md', 'Guides'), md('home/api-reference.md', 'API Reference'), md('home/guides/setup.md', 'Setup'), md('home/guides/deploy.md', 'Deploy')], batch(t), t, refs);
    if (!match.ok) throw new Error(match.problem);
    expect(new Set(match.pages.keys())).toEqual(new Set(t.pages.keys()));
    expect(match.pages.get(idOf(t, 'Deploy'))!.markdown).toContain('# Deploy');
  });

  it('matches by file name when the title line is written differently', () => {
    const t = tree();
    const match = matchBatch([md('home.md', 'Home'), md('home/guides.md', 'Guides (renamed)'), md('home/api-reference.md', 'API Reference'), md('home/guides/setup.md', 'Setup'), md('home/guides/deploy.md', 'Deploy')], batch(t), t, refs);
    expect(match.ok).toBe(true);
  });

  it('tolerates case, spacing and escapes in the title line', () => {
    const t = treeFromSpec({ Home: { 'C# Tips': {}, 'Q3 Plan': {} } });
    const match = matchBatch([md('home.md', 'Home'), md('home/page-1.md', 'c\\# tips'), md('home/page-2.md', 'Q3   plan')], { kind: 'subtree', pageId: idOf(t, 'Home'), pageCount: 3 }, t, refs);
    if (!match.ok) throw new Error(match.problem);
    expect(match.pages.get(idOf(t, 'C# Tips'))!.markdown).toContain('c\\# tips');
  });

  it('refuses a file that matches no page asked for', () => {
    const t = tree();
    const match = matchBatch([md('home.md', 'Home'), md('home/guides.md', 'Guides'), md('home/api-reference.md', 'API Reference'), md('home/guides/setup.md', 'Setup'), md('home/guides/deploy.md', 'Deploy'), md('home/stray.md', 'Stray')], batch(t), t, refs);
    expect(match.ok || match.problem).toMatch(/matches no page asked for/);
  });

  it('refuses two files that both name one page, by title line or by file name', () => {
    const t = tree();
    const byLine = matchBatch([md('home.md', 'Home'), md('home/guides.md', 'API Reference'), md('home/api-reference.md', 'API Reference'), md('home/guides/setup.md', 'Setup'), md('home/guides/deploy.md', 'Deploy')], batch(t), t, refs);
    expect(byLine.ok || byLine.problem).toMatch(/two page files match page/);
    const byName = matchBatch([md('home.md', 'Home'), md('home/guides.md', 'Guides'), md('home/api-reference.md', 'API Reference'), md('home/api-reference-x.md', 'Unknown'), md('home/guides/setup.md', 'Setup'), md('home/guides/deploy.md', 'Deploy')], batch(t), t, refs);
    expect(byName.ok || byName.problem).toMatch(/matches no page asked for/);
  });

  it("trusts the title line over a file name that follows another sibling's slug (the exporter's -2 on either)", () => {
    const t = treeFromSpec({ Home: { 'Setup & Guide': {}, 'Setup Guide': {} } });
    const match = matchBatch([md('home.md', 'Home'), md('home/setup-guide.md', 'Setup & Guide'), md('home/setup-guide-2.md', 'Setup Guide')], { kind: 'subtree', pageId: idOf(t, 'Home'), pageCount: 3 }, t, refs);
    if (!match.ok) throw new Error(match.problem);
    expect(match.pages.get(idOf(t, 'Setup Guide'))!.markdown).toContain('# Setup Guide');
    expect(match.pages.get(idOf(t, 'Setup & Guide'))!.markdown).toContain('# Setup & Guide');
  });

  it('refuses a batch where a page asked for has no file, naming it by id', () => {
    const t = tree();
    const match = matchBatch([md('home.md', 'Home'), md('home/guides.md', 'Guides'), md('home/api-reference.md', 'API Reference'), md('home/guides/setup.md', 'Setup')], batch(t), t, refs);
    expect(match.ok || match.problem).toContain(`no page file matches page ${idOf(t, 'Deploy')}`);
    expect(match.ok || match.problem).not.toContain('Deploy');
  });

  it('gives a shared attachment to the one sibling that references it; none when two do', () => {
    const t = treeFromSpec({ Home: { One: {}, Two: {}, Three: {} } });
    const files = [
      md('home.md', 'Home'),
      md('home/one.md', 'One', '![diagram](attachments/diagram.png) <img src="attachments/only-one.png">'),
      md('home/two.md', 'Two', '![diagram](attachments/diagram.png)'),
      md('home/three.md', 'Three', 'nothing here'),
      bin('home/attachments/diagram.png'),
      bin('home/attachments/only-one.png'),
      bin('home/attachments/nobody.png'),
    ];
    const match = matchBatch(files, { kind: 'subtree', pageId: idOf(t, 'Home'), pageCount: 4 }, t, refs);
    if (!match.ok) throw new Error(match.problem);
    expect(match.sharedAttachments).toEqual(new Set([idOf(t, 'One'), idOf(t, 'Two')]));
    expect(match.pages.get(idOf(t, 'One'))!.attachments.size).toBe(0);
    expect(match.pages.get(idOf(t, 'Three'))!.attachments.size).toBe(0);
    expect(match.pages.get(idOf(t, 'Home'))!.attachments.size).toBe(0);
  });

  it("never attributes a file by substring: metadata.png is not a.png's", () => {
    const t = treeFromSpec({ Home: { A: {}, B: {} } });
    const files = [md('home.md', 'Home'), md('home/a.md', 'A', '![m](attachments/metadata.png)'), md('home/b.md', 'B', '![a](attachments/a.png)'), bin('home/attachments/a.png'), bin('home/attachments/metadata.png')];
    const match = matchBatch(files, { kind: 'subtree', pageId: idOf(t, 'Home'), pageCount: 3 }, t, refs);
    if (!match.ok) throw new Error(match.problem);
    expect([...match.pages.get(idOf(t, 'A'))!.attachments.keys()]).toEqual(['metadata.png']);
    expect([...match.pages.get(idOf(t, 'B'))!.attachments.keys()]).toEqual(['a.png']);
  });
});

describe('treeFromArchive (no REST scopes)', () => {
  it('derives ids, parents and positions from paths', () => {
    const { pages } = treeFromArchive([md('home.md', 'Home'), md('home/b.md', 'Bee'), md('home/a.md', 'Ay'), md('home/a/x.md', 'Ex')], refs);
    const view = pages.map(({ id, title, parentId, position }) => ({ id, title, parentId, position }));
    expect(view).toEqual([
      { id: 'path:home', title: 'Home', parentId: undefined, position: 0 },
      { id: 'path:home/a', title: 'Ay', parentId: 'path:home', position: 0 },
      { id: 'path:home/b', title: 'Bee', parentId: 'path:home', position: 1 },
      { id: 'path:home/a/x', title: 'Ex', parentId: 'path:home/a', position: 0 },
    ]);
  });

  it('builds a space tree the rest of the pipeline can use, and attributes no shared file', () => {
    const { pages, unattributed } = treeFromArchive([md('a.md', 'A', '![x](attachments/x.png)'), md('a/b.md', 'B'), md('c.md', 'C', '![x](attachments/x.png)'), bin('attachments/x.png')], refs);
    const tree = buildSpaceTree(pages.map(({ id, title, parentId, position }) => ({ id, title, parentId, position, version: { number: 1 } })));
    expect(tree.roots).toEqual(['path:a', 'path:c']);
    expect(tree.children.get('path:a')).toEqual(['path:a/b']);
    expect(unattributed).toBe(2);
    expect(pages.every((p) => p.page.attachments.size === 0)).toBe(true);
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
