/**
 * What a page's Markdown says about pages that are not published, removed: the URL (which carries
 * the page's id, often its title) of every link to such a page or to one of its attachments, in
 * every syntax, and every raw HTML attribute or text that holds one. Only those spans change; all
 * else keeps its bytes.
 *
 * Two users: the rewrite runs the raw-HTML half on every page (its Markdown plugins already handle
 * Markdown links), so an entry's body never holds such a URL even before its rendered HTML is
 * sanitised; and a snapshot (sources/snapshot.ts) keeps each page's Markdown as exported, so it
 * can be rewritten again for another base, but scrubbed with both halves first: a snapshot is
 * committed to a repository and must not name what the site does not publish. In a snapshot the
 * link's words stay and the link goes, whatever `unpublishedLinks` says: a link into Confluence
 * would carry the id.
 */
import type { Comment, Element, Nodes as HastNodes, Text } from 'hast';
import { toString } from 'mdast-util-to-string';
import type { Root } from 'mdast';
import type { Plugin } from 'unified';
import type { UnpublishedReason } from '../types.ts';
import { missingAttachmentWarning, ownerUnpublished } from './attachments.ts';
import type { RewriteContext } from './context.ts';
import { parseHtml } from './html-tree.ts';
import { replaceByText, unwrap } from './markdown-syntax.ts';
import { rewriteParser } from './parse.ts';
import { span, spliceCompiler } from './splice.ts';
import type { Edit } from './state.ts';
import { rewriteState } from './state.ts';
import { attachmentRef, resolvePageLink, textRevealsTarget, UNPUBLISHED_LINK_TEXT } from './targets.ts';
import { documentNodes, nodesOfType } from './walk.ts';

export type ScrubOptions = Pick<RewriteContext, 'page' | 'siteHosts' | 'cloudId' | 'spaceKey' | 'pageById' | 'pageByTitle'>;

/**
 * A superset of the HTML that can hold a URL in an attribute: parsing is left to the nodes that
 * may need it. A browser also reads `<a/href=…>`, so no word boundary is asked for.
 */
const MAY_HOLD_URL = /(?:href|src|action|poster|data|cite|background)\s*=|\/\/|\/wiki\//i;

/** The unpublished page `url` points at (or at an attachment of), with its id when the URL names it; undefined for any other URL. */
export function unpublishedTarget(url: string, options: ScrubOptions): { url: string; pageId?: string; reason?: UnpublishedReason; attachment?: true } | undefined {
  const value = url.trim();
  if (value === '') return undefined;
  const page = resolvePageLink(value, options, []);
  if (page.kind === 'unpublished') return { url: value, reason: page.reason, ...(page.pageId ? { pageId: page.pageId } : {}) };
  const ref = attachmentRef(value, 'link', options);
  return ref !== undefined && ownerUnpublished(ref, options) ? { url: value, pageId: ref.pageId, attachment: true } : undefined;
}

/** Plugin: edits to each raw HTML node so that no attribute or text in it names an unpublished page. */
export const remarkScrubUnpublishedHtml: Plugin<[ScrubOptions], Root> = function (options) {
  return (tree, file) => {
    const state = rewriteState(file);
    for (const node of nodesOfType(tree, 'html')) {
      if (!MAY_HOLD_URL.test(node.value)) continue;
      const s = span(node);
      if (!s) continue;
      const found: Found[] = [];
      state.edits.push(...htmlEdits(node.value, s.start, options, found));
      // Reported like a Markdown link to such a page (by id only), so failOnUnresolvedLinks sees it.
      for (const target of found) {
        // As for a Markdown link, the URL as written: the reports name the target by id only (pipeline.ts `describeTarget`).
        if (target.reason) state.unresolved.push({ fromPageId: options.page.id, url: target.url, text: '', reason: target.reason });
        if (target.attachment) state.warnings.push(missingAttachmentWarning(options.page, { pageId: target.pageId, fileName: '', usage: 'link' }, {}, true));
      }
    }
  };
};

/** Plugin: links, images and definitions in Markdown syntax that name an unpublished page lose their URL, keeping their words. */
const remarkScrubUnpublishedMarkdown: Plugin<[ScrubOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    const dropped = new Map<string, { url: string; pageId?: string }>();
    for (const { node } of documentNodes(tree)) {
      if (node.type !== 'definition' && node.type !== 'link' && node.type !== 'image') continue;
      const target = unpublishedTarget(node.url, options);
      if (!target) continue;
      if (node.type === 'definition') {
        dropped.set(node.identifier, target);
        const s = span(node)!;
        state.edits.push({ start: s.start, end: s.end, replace: '' });
        continue;
      }
      const text = node.type === 'image' ? node.alt ?? '' : toString(node);
      // Words that are the URL, or hold the page's id, would say what the link said.
      const reveals = text.trim() === '' || textRevealsTarget(text, node.url, target.pageId, options);
      if (node.type === 'image' || reveals) state.edits.push(replaceByText(source, node, reveals ? UNPUBLISHED_LINK_TEXT : text));
      else state.edits.push(...unwrap(source, node));
    }
    if (dropped.size === 0) return;
    for (const node of [...nodesOfType(tree, 'linkReference'), ...nodesOfType(tree, 'imageReference')]) {
      const target = dropped.get(node.identifier);
      if (!target) continue;
      const text = node.type === 'imageReference' ? node.alt ?? '' : toString(node);
      const reveals = text.trim() === '' || textRevealsTarget(text, target.url, target.pageId, options);
      if (node.type === 'imageReference' || reveals) state.edits.push(replaceByText(source, node, reveals ? UNPUBLISHED_LINK_TEXT : text));
      else state.edits.push(...unwrap(source, node));
    }
  };
};

const parser = rewriteParser().freeze();

/** `markdown` with every URL of an unpublished page or of its attachments removed (see the module comment). */
export function scrubUnpublished(markdown: string, options: ScrubOptions): string {
  if (!MAY_HOLD_URL.test(markdown) && !/\]\(|\]:|</.test(markdown)) return markdown;
  return String(parser().use(remarkScrubUnpublishedMarkdown, options).use(remarkScrubUnpublishedHtml, options).use(spliceCompiler).processSync(markdown));
}

type Found = NonNullable<ReturnType<typeof unpublishedTarget>>;

/**
 * Where a URL may stand inside a longer text (an attribute such as `style` or `content`, a text
 * or comment, quoted or not): each piece that starts like a URL with a host or a `/wiki/` path, up
 * to a character a URL does not hold unescaped. A superset to look at: the URL parser decides.
 */
const URL_IN_TEXT = /(?:https?:)?[/\\]{2}[^\s"'<>()`\\]+|\/(?:wiki|x|pages|spaces|display|download)\/[^\s"'<>()`\\]+/gi;

/** The first unpublished target named anywhere in `text`, as a whole or in a piece of it. */
function targetIn(text: string, options: ScrubOptions): Found | undefined {
  const whole = unpublishedTarget(text, options);
  if (whole) return whole;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const target = unpublishedTarget(match[0].replace(/[.,;:!?)\]]+$/, ''), options);
    if (target) return target;
  }
  return undefined;
}

/**
 * Edits (at offsets into the page, `offset` being the node's start) that remove each attribute of
 * the node whose value names an unpublished page, and replace each text run or comment that does
 * (by {@link UNPUBLISHED_LINK_TEXT}, a comment by nothing). Removing a whole attribute, at the
 * positions the HTML parser gives it, cannot join tokens into new markup: the separators around it
 * stay. Where the parser's tree is not the whole story (a repeated attribute, which the tree drops
 * but the bytes keep; an attribute the parser moved), the whole node goes if its text names one.
 */
function htmlEdits(html: string, offset: number, options: ScrubOptions, found: Found[]): Edit[] {
  const edits: Edit[] = [];
  const errors: string[] = [];
  const whole = (target: Found) => {
    found.push(target);
    return [{ start: offset, end: offset + html.length, replace: UNPUBLISHED_LINK_TEXT }];
  };
  const stack: HastNodes[] = [parseHtml(html, true, (code) => errors.push(code))];
  if (errors.includes('duplicate-attribute')) {
    const target = targetIn(decodeReferences(html), options);
    if (target) return whole(target);
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    // The attribute that names one has no source position (the parser moved it): the whole node goes.
    if (node.type === 'element' && !elementEdits(node, offset, options, edits, found)) return [{ start: offset, end: offset + html.length, replace: UNPUBLISHED_LINK_TEXT }];
    if (node.type === 'text' || node.type === 'comment') textEdit(node, offset, options, edits, found);
    if ('children' in node) stack.push(...(node.children as HastNodes[]));
    if (node.type === 'element' && node.tagName === 'template' && node.content) stack.push(node.content);
  }
  return edits;
}

/** The text of `html` with its character references decoded, as the parser reads it: the text of one `<textarea>`. */
function decodeReferences(html: string): string {
  const tree = parseHtml(`<textarea>${html.replace(/<\/textarea/gi, '')}</textarea>`);
  const area = tree.children[0];
  return area?.type === 'element' ? area.children.map((child) => (child.type === 'text' ? child.value : '')).join('') : html;
}

/** Pushes the removal of each attribute naming an unpublished page; false when one has no source position. */
function elementEdits(element: Element, offset: number, options: ScrubOptions, edits: Edit[], found: Found[]): boolean {
  const positions = (element.data as { position?: { properties?: Record<string, { start: { offset?: number }; end: { offset?: number } } | undefined> } } | undefined)?.position?.properties ?? {};
  for (const [name, value] of Object.entries(element.properties)) {
    const values = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
    // srcset and other lists, `style="…url(…)"`, `content="0;url=…"`, `srcdoc`: any URL in it condemns the attribute.
    const target = values.map((v) => targetIn(v, options)).find((t) => t !== undefined);
    if (!target) continue;
    found.push(target);
    const start = positions[name]?.start.offset;
    const end = positions[name]?.end.offset;
    if (start === undefined || end === undefined) return false;
    edits.push({ start: offset + start, end: offset + end, replace: '' });
  }
  return true;
}

function textEdit(node: Text | Comment, offset: number, options: ScrubOptions, edits: Edit[], found: Found[]): void {
  const s = span(node);
  if (!s) return;
  const target = targetIn(node.value, options);
  if (target) {
    found.push(target);
    edits.push({ start: offset + s.start, end: offset + s.end, replace: node.type === 'comment' ? '' : UNPUBLISHED_LINK_TEXT });
  }
}
