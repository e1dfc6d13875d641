/**
 * Heading text and heading ids as Starlight derives them: github-slugger over the text of each
 * heading in document order, title heading excluded (Starlight renders the title itself).
 */
import GithubSlugger from 'github-slugger';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Heading, Root } from 'mdast';
import type { Plugin } from 'unified';
import type { Node } from 'unist';
import { fullParser } from './parse.ts';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';

/** Characters that may change a heading's text once parsed with emphasis, code, HTML and escapes. */
const INLINE_SYNTAX = /[*_~`<&\\[!]/;

/**
 * Astro runs remark-smartypants before it slugs headings. Of what SmartyPants changes, only its
 * dashes survive github-slugger (quotes and ellipses are dropped either way): exactly two
 * hyphens become an em dash, which the slugger drops, so `A -- B` is `a--b`, not `a----b`.
 * Code spans are left alone, as SmartyPants leaves them.
 */
const SMARTYPANTS_DASH = /(?<!-)--(?!-)/g;

function smartDashes(text: string): string {
  return text.includes('--') ? text.replace(SMARTYPANTS_DASH, '\u2014') : text;
}

/**
 * The plain text of a heading as Astro slugs it. The rewrite parser skips emphasis, so a heading
 * whose source holds inline syntax is parsed again, alone, with the full parser.
 */
export function headingText(heading: Heading, source: string): string {
  const first = heading.children[0];
  const last = heading.children.at(-1);
  const from = first && span(first)?.start;
  const to = last && span(last)?.end;
  if (from === undefined || to === undefined) return smartDashes(toString(heading, { includeHtml: false, includeImageAlt: false }));
  const raw = source.slice(from, to);
  if (!INLINE_SYNTAX.test(raw)) return smartDashes(toString(heading));
  return slugText(fullParser.parse(raw.replace(/\n/g, ' ')));
}

/** Text of a freshly parsed heading (changed in place) with SmartyPants' dashes applied to its text, not its code. */
function slugText(node: Node): string {
  visit(node, 'text', (text: { value: string }) => {
    text.value = smartDashes(text.value);
  });
  return toString(node, { includeHtml: false, includeImageAlt: false });
}

/** The first depth-1 heading at the top level of the document: the page title. */
export function findTitleHeading(tree: Root): Heading | undefined {
  return tree.children.find((n): n is Heading => n.type === 'heading' && n.depth === 1);
}

/** Heading ids Starlight assigns, in document order, skipping `skip` (the removed title heading). */
export function headingIds(tree: Root, source: string, skip?: Node): string[] {
  const slugger = new GithubSlugger();
  const ids: string[] = [];
  visit(tree, 'heading', (node) => {
    if (node !== skip) ids.push(slugger.slug(headingText(node, source)));
  });
  return ids;
}

/** Plugin: records this page's heading ids (after the title plugin, which marks the title heading). */
export const remarkHeadingIds: Plugin<[], Root> = function () {
  return (tree, file) => {
    const state = rewriteState(file);
    state.headingIds = headingIds(tree, String(file.value), state.titleNode);
  };
};
