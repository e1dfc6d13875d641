/**
 * Heading text and heading ids as Starlight derives them: github-slugger over the rendered text
 * of each heading in document order, title heading excluded (Starlight renders the title itself).
 */
import GithubSlugger from 'github-slugger';
import { toString } from 'mdast-util-to-string';
import type { Heading, Nodes, Root } from 'mdast';
import type { Plugin } from 'unified';
import type { Node } from 'unist';
import { rewriteState } from './state.ts';
import { nodesOfType } from './walk.ts';

/**
 * Astro renders with smart punctuation before it slugs headings. Of what that changes, only the
 * dashes survive github-slugger (curly quotes and ellipses are dropped either way), and Astro 7's
 * default processor (Sätteri, CommonMark smart punctuation) turns every run of two or more
 * hyphens into dashes, which the slugger then drops: `A -- B` is `a--b`, not `a----b`.
 */
const SMART_DASHES = /-{2,}/g;

/** The plain text of a heading (the page title is read with it). */
export function headingText(heading: Heading): string {
  return toString(heading, { includeHtml: false, includeImageAlt: false });
}

/**
 * The text Astro slugs for a heading: its rendered text content (code included, raw HTML and
 * image alt text not, a footnote reference as its number) after smart dashes, code excepted.
 */
export function slugText(node: Nodes): string {
  switch (node.type) {
    case 'text':
      return node.value.includes('--') ? node.value.replace(SMART_DASHES, '\u2014') : node.value;
    case 'inlineCode':
      return node.value;
    case 'footnoteReference':
      return node.label ?? node.identifier;
    case 'html':
    case 'image':
    case 'imageReference':
      return '';
    default:
      return 'children' in node ? node.children.map((child) => slugText(child as Nodes)).join('') : '';
  }
}

/** The first depth-1 heading at the top level of the document: the page title. */
export function findTitleHeading(tree: Root): Heading | undefined {
  return tree.children.find((n): n is Heading => n.type === 'heading' && n.depth === 1);
}

/** Heading ids Starlight assigns, in document order, skipping `skip` (the removed title heading). */
export function headingIds(tree: Root, skip?: Node): string[] {
  const slugger = new GithubSlugger();
  return nodesOfType(tree, 'heading')
    .filter((node) => node !== skip)
    .map((node) => slugger.slug(slugText(node)));
}

/** Ids for plain heading texts (no markup), in document order, as `headingIds` gives them. */
export function slugAll(texts: readonly string[]): string[] {
  const slugger = new GithubSlugger();
  return texts.map((text) => slugger.slug(text.includes('--') ? text.replace(SMART_DASHES, '\u2014') : text));
}

/** Plugin: records this page's heading ids (after the title plugin, which marks the title heading). */
export const remarkHeadingIds: Plugin<[], Root> = function () {
  return (tree, file) => {
    const state = rewriteState(file);
    state.headingIds = headingIds(tree, state.titleNode);
  };
};
