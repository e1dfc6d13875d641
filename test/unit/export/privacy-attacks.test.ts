/**
 * Attacks on matching archive files to pages (issue 10): archives that answer for another page.
 * A test titled "FINDING:" failed when written.
 */
import { describe, expect, it } from 'vitest';
import { matchBatch } from '../../../packages/astro-loader-confluence/src/export/page-tree.ts';
import { attachmentReferences } from '../../../packages/astro-loader-confluence/src/rewrite/references.ts';
import type { ArchiveFile } from '../../../packages/astro-loader-confluence/src/types.ts';
import { idOf, treeFromSpec } from '../../helpers/tree.ts';

const encoder = new TextEncoder();
const md = (path: string, title: string, body = ''): ArchiveFile => ({ path, data: encoder.encode(`# ${title}\n\n${body}`) });

describe('the root of an archive', () => {
  const tree = treeFromSpec({ Home: { Open: {}, Secret: {}, Guide: { Alpha: {} } } });

  it('FINDING: a single-page archive whose one file is titled as another page of the tree is a mismatch, not that page\'s content under the page asked for', () => {
    const match = matchBatch([md('secret.md', 'Secret', 'private text')], { kind: 'single', pageId: idOf(tree, 'Open') }, tree, attachmentReferences);
    expect(match.ok).toBe(false);
  });

  it('FINDING: a subtree archive whose root file is titled as another page is a mismatch', () => {
    const match = matchBatch([md('secret.md', 'Secret', 'private text'), md('secret/alpha.md', 'Alpha')], { kind: 'subtree', pageId: idOf(tree, 'Guide'), pageCount: 2 }, tree, attachmentReferences);
    expect(match.ok).toBe(false);
  });

  it('a root file titled as the page asked for, however the exporter named the file, is that page', () => {
    const match = matchBatch([md('page-9a8b.md', 'open')], { kind: 'single', pageId: idOf(tree, 'Open') }, tree, attachmentReferences);
    expect(match.ok && [...match.pages.keys()]).toEqual([idOf(tree, 'Open')]);
  });

  it('FINDING: a child file titled as its parent (the parent\'s file put among its children) is a mismatch, not the child by its file name', () => {
    const match = matchBatch([md('guide.md', 'Guide'), md('guide/alpha.md', 'Guide')], { kind: 'subtree', pageId: idOf(tree, 'Guide'), pageCount: 2 }, tree, attachmentReferences);
    expect(match.ok).toBe(false);
  });
});
