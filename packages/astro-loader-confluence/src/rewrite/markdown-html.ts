/**
 * For `confluence-export export`, which writes Markdown rather than HTML: the raw HTML in a page's
 * Markdown and the URLs of its links and images go through the same rules as the site's rendered
 * HTML (html-tree.ts, html-schema.ts), so the files are as safe to render as the site.
 *
 * Decision: each HTML node of the Markdown is parsed and sanitised on its own, and written back
 * token by token at the source positions of its tokens, never as a re-serialised tree. Markdown
 * splits HTML across nodes (`<details><summary>…</summary>` in one, `</details>` blocks later), and
 * a tree serialiser would close the first and drop the second; emitting tokens keeps an element
 * open where its source left it open and keeps an end tag that closes an earlier node's element.
 * A node whose tokens come out unchanged keeps its bytes. A node left with nothing is replaced by
 * `<span></span>` rather than deleted, so its neighbours cannot join into new markup (`<<x>img …>`).
 *
 * The rewritten Markdown is then parsed again and checked again, until nothing changes: whatever
 * the edits did to the Markdown around them, the result is judged by a real parse of the final text.
 */
import type { Element, Nodes, Root as HastRoot } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { htmlVoidElements } from 'html-void-elements';
import type { Root } from 'mdast';
import { allowedUrl, PAGE_SCHEMA } from './html-schema.ts';
import { parseHtml, prepareAndSanitize, type HtmlContext, type HtmlReport } from './html-tree.ts';
import { escapeText, replaceByText, unwrap } from './markdown-syntax.ts';
import { rewriteParser } from './parse.ts';
import { applyEdits, span } from './splice.ts';
import type { Edit } from './state.ts';
import { documentNodes } from './walk.ts';

/** Rounds of parse-and-check before every HTML node is escaped instead (a page that never settles is hostile). */
const MAX_ROUNDS = 4;
const parser = rewriteParser().freeze();
const VOID = new Set(htmlVoidElements);
/** End tags worth keeping on their own: elements the schema allows in Markdown (Expressive Code's assets exist only after rendering). */
const ALLOWED_END_TAGS = new Set(PAGE_SCHEMA.tagNames!.filter((name) => name !== 'script' && name !== 'link'));
const STRIPPED = new Set(PAGE_SCHEMA.strip);
const SERIALIZE = { collapseEmptyAttributes: true, characterReferences: { useNamedReferences: true } } as const;

export interface SafeMarkdown extends Omit<HtmlReport, 'lookups'> {
  markdown: string;
}

/** `markdown` with its raw HTML sanitised and its unsafe link and image URLs dropped (see the module comment). */
export function sanitizeMarkdownHtml(markdown: string, ctx: HtmlContext): SafeMarkdown {
  const report: HtmlReport = { unresolved: [], warnings: [], lookups: [] };
  let text = markdown;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const edits = safetyEdits(text, ctx, report, false);
    if (edits.length === 0) return done(text, report);
    text = applyEdits(text, edits);
  }
  for (;;) {
    const edits = safetyEdits(text, ctx, report, true);
    if (edits.length === 0) return done(text, report);
    text = applyEdits(text, edits);
  }
}

/** Each round sees the same nodes again: each finding is reported once. */
function done(markdown: string, report: HtmlReport): SafeMarkdown {
  const unresolved = [...new Map(report.unresolved.map((link) => [JSON.stringify(link), link])).values()];
  return { markdown, unresolved, warnings: [...new Set(report.warnings)] };
}

function safetyEdits(source: string, ctx: HtmlContext, report: HtmlReport, escapeAll: boolean): Edit[] {
  const tree = parser.parse(source) as Root;
  const edits: Edit[] = [];
  const done = new WeakSet<object>();
  for (const { node, parent, index } of documentNodes(tree)) {
    if (done.has(node)) continue;
    if (node.type === 'html') {
      const s = span(node);
      if (!s) continue;
      if (escapeAll) {
        edits.push({ start: s.start, end: s.end, replace: escapeText(node.value) });
        continue;
      }
      const result = analyseHtmlNode(source.slice(s.start, s.end), ctx, report);
      const siblings = parent?.children ?? [];
      // Inline `<script>…</script>` is split into sibling nodes: what lies between goes too.
      const closing = result.opens === undefined || parent?.type === 'root' ? -1 : siblings.findIndex((n, i) => i > index! && n.type === 'html' && analyseHtmlNode(n.value, ctx, report).closes.has(result.opens!));
      if (closing >= 0) {
        for (const sibling of siblings.slice(index! + 1, closing + 1)) done.add(sibling);
        edits.push({ start: s.start, end: span(siblings[closing]!)!.end, replace: '<span></span>' });
        continue;
      }
      if (result.clean === undefined) continue;
      if (result.clean === '' && parent?.type === 'root' && removeBlock(source, s, edits)) continue;
      edits.push({ start: s.start, end: s.end, replace: result.clean === '' ? '<span></span>' : result.clean });
    } else if (node.type === 'paragraph' && parent?.type === 'root' && node.children.every((n) => n.type === 'html' || (n.type === 'text' && n.value.trim() === ''))) {
      // A paragraph of nothing but inline HTML that all goes (`<object></object><embed>`) goes whole.
      if (escapeAll || node.children.some((n) => n.type === 'html' && analyseHtmlNode(n.value, ctx, report).clean !== '')) continue;
      if (removeBlock(source, span(node)!, edits)) for (const child of node.children) done.add(child);
    } else if (node.type === 'link' || node.type === 'image' || node.type === 'definition') {
      if (allowedUrl(node.url, node.type === 'image') !== undefined) continue;
      const s = span(node)!;
      if (node.type === 'link') edits.push(...unwrap(source, node));
      else if (node.type === 'image') edits.push(replaceByText(source, node, node.alt ?? ''));
      else edits.push({ start: s.start, end: s.end, replace: `[${node.label ?? node.identifier}]: #` });
    }
  }
  return edits;
}

/**
 * Removes a block that was nothing but unsafe HTML, with the blank lines after it, when it
 * follows a blank line (or starts the page): there, removing it joins no blocks. False otherwise.
 */
function removeBlock(source: string, s: { start: number; end: number }, edits: Edit[]): boolean {
  if (!/(?:^|\n[ \t]*\n)$/.test(source.slice(0, s.start))) return false;
  const end = s.end + (/^(?:[ \t]*\r?\n)*/.exec(source.slice(s.end))?.[0].length ?? 0);
  edits.push({ start: s.start, end, replace: '' });
  return true;
}

/**
 * Whether one raw HTML node of a page's Markdown is safe exactly as written: its tokens are what
 * the sanitiser would keep, nothing is left unfinished or set aside, and no URL in it needs
 * resolving (rendered-html.ts uses this to know when a page needs no pass over its HTML).
 */
export function htmlSafeAsWritten(html: string, ctx: HtmlContext): boolean {
  const scratch: HtmlReport = { unresolved: [], warnings: [], lookups: [] };
  return analyseHtmlNode(html, ctx, scratch).clean === undefined && scratch.lookups.length === 0 && scratch.warnings.length === 0;
}

interface NodeAnalysis {
  /** The node's HTML as safe tokens; undefined when it is safe as written. */
  clean: string | undefined;
  /** An element dropped with its content that this node opens and leaves open (an inline `<script>`). */
  opens?: string;
  /** End tags in this node that close nothing in it. */
  closes: Set<string>;
}

function analyseHtmlNode(html: string, ctx: HtmlContext, report: HtmlReport): NodeAnalysis {
  const errors: string[] = [];
  const tree = parseHtml(html, true, (code) => errors.push(code));
  const { strays, closes, dirty } = setAside(tree, html);
  const open = tree.children.at(-1);
  const opens = open?.type === 'element' && STRIPPED.has(open.tagName) && !(open.data as { position?: { closing?: unknown } } | undefined)?.position?.closing ? open.tagName : undefined;
  const before = emit(tree, strays);
  const { clean } = prepareAndSanitize(tree, ctx, report);
  const after = emit(clean, strays);
  // Kept as written only if the tree is all of it: no unfinished tag or comment at the end (it
  // would swallow what follows the node when rendered), nothing else the parser set aside.
  // A repeated attribute is not in the tree, only in the bytes: kept as written, they would keep it.
  const unfinished = errors.some((code) => code.startsWith('eof-in-') || code === 'duplicate-attribute');
  return { clean: after === before && !unfinished && !dirty ? undefined : after, opens, closes };
}

interface Token {
  offset: number;
  order: number;
  text: string;
}

/**
 * The tree written as tokens in source order: each start tag where it was, each end tag only where
 * the source had one, text escaped, nodes made by the sanitiser (a link for a lost image) whole.
 */
function emit(tree: HastRoot, strays: readonly Token[]): string {
  const tokens: Token[] = [...strays];
  let order = strays.length;
  const stack: { node: Nodes; space: 'html' | 'svg' }[] = [...tree.children].reverse().map((node) => ({ node, space: 'html' as const }));
  while (stack.length > 0) {
    const { node, space } = stack.pop()!;
    if (node.type === 'text' || node.type === 'comment') {
      // The clean tree has no comments: a node that had one is never "unchanged".
      if (node.position) tokens.push({ offset: node.position.start.offset!, order: order++, text: toHtml(node, SERIALIZE) });
      continue;
    }
    if (node.type !== 'element') continue;
    const inner = node.tagName === 'svg' ? 'svg' : space;
    const location = (node.data as { position?: { opening?: Position; closing?: Position } } | undefined)?.position;
    if (location?.opening) {
      const selfClosing = inner === 'svg' && !location.closing && node.children.length === 0;
      tokens.push({ offset: location.opening.start.offset!, order: order++, text: startTag(node, inner, selfClosing) });
      if (location.closing && !VOID.has(node.tagName)) tokens.push({ offset: location.closing.start.offset!, order: order++, text: `</${node.tagName}>` });
    } else if (node.position) {
      tokens.push({ offset: node.position.start.offset!, order: order++, text: toHtml(node, { ...SERIALIZE, space: inner }) });
      continue;
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, space: inner });
  }
  tokens.sort((a, b) => a.offset - b.offset || a.order - b.order);
  return tokens.map((token) => token.text).join('');
}

type Position = { start: { offset?: number }; end: { offset?: number } };

function startTag(element: Element, space: 'html' | 'svg', selfClosing: boolean): string {
  const html = toHtml({ ...element, children: [] }, { ...SERIALIZE, space });
  if (VOID.has(element.tagName) && space === 'html') return html;
  const open = html.slice(0, html.length - `</${element.tagName}>`.length);
  return selfClosing ? `${open.slice(0, -1)}/>` : open;
}

/**
 * What the parser set aside without a node for it. End tags that close nothing in this node (the
 * `</details>` of an expand macro whose `<details>` is in an earlier node) are kept when the
 * element is one the schema allows. Anything else the parser dropped (`<body onload=…>`, whose
 * attributes a browser would move onto the page's own body, a doctype, the end tag of an element
 * that is not allowed) makes the node `dirty`: its source cannot be kept as written. Both are
 * found in the parts of the source no node covers.
 */
function setAside(tree: HastRoot, html: string): { strays: Token[]; closes: Set<string>; dirty: boolean } {
  const covered: [number, number][] = [];
  const stack: Nodes[] = [...tree.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'element') {
      const location = (node.data as { position?: { opening?: Position; closing?: Position } } | undefined)?.position;
      for (const part of [location?.opening, location?.closing]) if (part) covered.push([part.start.offset!, part.end.offset!]);
      stack.push(...node.children);
    } else if ((node.type === 'text' || node.type === 'comment') && node.position) {
      covered.push([node.position.start.offset!, node.position.end.offset!]);
    }
  }
  covered.sort((a, b) => a[0] - b[0]);
  const strays: Token[] = [];
  const closes = new Set<string>();
  let dirty = false;
  let cursor = 0;
  for (const [start, end] of [...covered, [html.length, html.length] as [number, number]]) {
    if (start > cursor) {
      const gap = html.slice(cursor, start);
      const endTags = /<\/([a-zA-Z][^\t\n\f />]*)[^>]*>/g;
      for (const match of gap.matchAll(endTags)) {
        const name = match[1]!.toLowerCase();
        closes.add(name);
        if (ALLOWED_END_TAGS.has(name)) strays.push({ offset: cursor + match.index, order: strays.length, text: `</${name}>` });
        else dirty = true;
      }
      if (gap.replace(endTags, '').trim() !== '') dirty = true;
    }
    cursor = Math.max(cursor, end);
  }
  return { strays, closes, dirty };
}
