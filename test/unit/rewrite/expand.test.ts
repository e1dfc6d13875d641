/**
 * Expand macros (rewrite/expand.ts) inside containers, checked against what Astro renders
 * (Sätteri, Astro 7's default Markdown processor).
 */
import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toString } from 'hast-util-to-string';
import { describe, expect, it } from 'vitest';
import { separateExpandContentIn } from '../../../packages/astro-loader-confluence/src/rewrite/expand.ts';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const renderer = await createSatteriMarkdownProcessor();

async function rendered(page: string): Promise<Root> {
  const { code } = await renderer.render(rewritePage(page, fixtureContext()).markdown);
  return fromHtml(code, { fragment: true });
}

const texts = (nodes: Element[]) => nodes.map((node) => toString(node).trim().replace(/\s+/g, ' '));

describe('<details> inside a list item keeps the list (issue 14, defect 2)', () => {
  it('bullet list: the expand stays in its item, its Markdown renders, the next item is an item', async () => {
    const tree = await rendered('# T\n\n- First item\n  <details>\n  <summary>More</summary>\n  Hidden **text** and [a link](/wiki/spaces/DOC/pages/300).\n  </details>\n- Second item\n');
    expect(selectAll('ul', tree)).toHaveLength(1);
    const items = selectAll('ul > li', tree);
    expect(texts(items).map((text) => text.slice(0, 11))).toEqual(['First item ', 'Second item']);
    const details = select('ul > li:first-child > details', tree)!;
    expect(toString(select('summary', details)!)).toBe('More');
    expect(toString(select('p > strong', details)!)).toBe('text');
    // The Markdown inside was freed, so its link was rewritten too.
    expect(select('p > a', details)!.properties.href).toBe('/docs/release-notes/');
    expect(toString(tree)).not.toContain('- Second item');
  });

  it('numbered list, summary and content on one line', async () => {
    const tree = await rendered('# T\n\n1. One\n   <details><summary>More</summary>Hidden **text**</details>\n2. Two\n');
    expect(texts(selectAll('ol > li', tree)).map((text) => text.split(' ')[0])).toEqual(['One', 'Two']);
    expect(toString(select('ol > li:first-child > details p > strong', tree)!)).toBe('text');
  });

  it('in a quote (a Confluence panel), the quote holds the whole expand', async () => {
    const tree = await rendered('# T\n\n> <details>\n> <summary>More</summary>\n> Hidden **text**\n> </details>\n\nAfter.\n');
    expect(selectAll('blockquote', tree)).toHaveLength(1);
    expect(toString(select('blockquote > details > p > strong', tree)!)).toBe('text');
    expect(toString(select('blockquote + p', tree)!)).toBe('After.');
  });

  it('writes every line it adds with the container prefix, list markers as spaces', () => {
    expect(separateExpandContentIn('<details>\n  <summary>S</summary>\n  x\n  </details>', '- ')).toBe('<details>\n  <summary>S</summary>\n\n  x\n\n  </details>');
    expect(separateExpandContentIn('<details><summary>S</summary>x</details>', '> 1. ')).toBe('<details><summary>S</summary>\n>\n>    x\n>\n>    </details>');
    expect(separateExpandContentIn('<details>\n<summary>S</summary>\n\nx\n\n</details>', '')).toBe('<details>\n<summary>S</summary>\n\nx\n\n</details>');
  });
});
