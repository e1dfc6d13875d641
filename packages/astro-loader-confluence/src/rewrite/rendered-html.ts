/**
 * The pass over each page's rendered HTML (after Astro's `renderMarkdown`, so HTML that Markdown
 * turned into, raw HTML across Markdown blocks and what Starlight and Expressive Code added are all
 * seen as the browser will see them): one tree, parsed, its URLs resolved, sanitised against the
 * one schema (html-schema.ts). It is the one place that makes a page safe to publish and drops
 * every href to a page or attachment that is not published, whatever syntax wrote it.
 *
 * What is published is always the serialisation of the clean tree, never the input: the parser
 * sets some tokens aside without a trace in the tree (a `<body onload>` in the middle of a page,
 * whose attributes a browser would move onto the real `<body>`), so "nothing was removed" cannot be
 * read off the tree. Serialising normalises a little (Starlight's `<path …/>` becomes
 * `<path …></path>`, the same element).
 */
import type { Element, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { IMAGE_MARKER } from './html-schema.ts';
import { parseHtml, prepareAndSanitize, type HtmlContext, type HtmlReport } from './html-tree.ts';

export type { HtmlContext, HtmlReport } from './html-tree.ts';

export interface SanitizedHtml extends HtmlReport {
  html: string;
  /** The element ids left in the page (the table of contents links only to those). */
  ids: Set<string>;
}

/** Serialisation as Astro's renderer writes HTML: named references, bare boolean attributes. */
const SERIALIZE = { collapseEmptyAttributes: true, characterReferences: { useNamedReferences: true } } as const;

export function sanitizeRenderedHtml(html: string, ctx: HtmlContext): SanitizedHtml {
  const report: HtmlReport = { unresolved: [], warnings: [], lookups: [] };
  const tree = parseHtml(html);
  const { clean } = prepareAndSanitize(tree, ctx, report);
  const ids = new Set<string>();
  const stack: Root['children'] = [...clean.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    if (typeof node.properties.id === 'string') ids.add(node.properties.id);
    restoreImageMarker(node);
    stack.push(...node.children);
  }
  return { ...report, html: toHtml(clean, SERIALIZE), ids };
}

/** The parser lowercased Astro's `__ASTRO_IMAGE_` attribute; Astro finds it by its exact name. */
function restoreImageMarker(element: Element): void {
  if (!(IMAGE_MARKER in element.properties)) return;
  element.properties.__ASTRO_IMAGE_ = element.properties[IMAGE_MARKER];
  delete element.properties[IMAGE_MARKER];
}
