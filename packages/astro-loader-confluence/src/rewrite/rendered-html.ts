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
import type { Root as MdastRoot } from 'mdast';
import { allowedUrl, IMAGE_MARKER } from './html-schema.ts';
import { parseHtml, prepareAndSanitize, type HtmlContext, type HtmlReport } from './html-tree.ts';
import { htmlSafeAsWritten } from './markdown-html.ts';
import { rewriteParser } from './parse.ts';
import { documentNodes } from './walk.ts';

export type { HtmlContext, HtmlReport } from './html-tree.ts';

export interface SanitizedHtml extends HtmlReport {
  html: string;
  /** The element ids left in the page (the table of contents links only to those); undefined when nothing was removed. */
  ids?: Set<string>;
}

const parser = rewriteParser().freeze();

/**
 * A page's rendered HTML made safe: through the tree pass below, unless its Markdown shows that
 * there is nothing to do. Parsing the rendered HTML costs about half of Astro's whole render of
 * the page (measured: bench `rewrite.per_page_vs_render`), while most pages hold no raw HTML.
 *
 * Why the check on the Markdown is enough: what a page's HTML carries beyond the text (which the
 * renderer escapes) comes from its raw HTML, its link, image and definition URLs, and what
 * Astro, Starlight and Expressive Code emit themselves. So a page is passed as rendered when its
 * Markdown (parsed by the renderer's own parser, as it is rendered) has only URLs that are
 * allowed as written, only raw HTML nodes that are safe exactly as written, token for token, with
 * no URL to resolve (markdown-html.ts), and no text that Astro would read as an image marker.
 */
export function sanitizeRenderedPage(markdown: string, html: string, ctx: HtmlContext): SanitizedHtml {
  if (rendersSafely(markdown, ctx)) return { html, unresolved: [], warnings: [], lookups: [] };
  return sanitizeRenderedHtml(html, ctx);
}

/** Whether `markdown` renders to HTML the tree pass would leave as it is (see {@link sanitizeRenderedPage}). */
export function rendersSafely(markdown: string, ctx: HtmlContext): boolean {
  if (markdown.includes('__ASTRO_IMAGE_')) return false;
  for (const { node } of documentNodes(parser.parse(markdown) as MdastRoot)) {
    if (node.type === 'html' && !htmlSafeAsWritten(node.value, ctx)) return false;
    if ((node.type === 'link' || node.type === 'image' || node.type === 'definition') && allowedUrl(node.url, node.type === 'image') !== node.url) return false;
  }
  return true;
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
