/**
 * Plugin: nothing in a published page may run code in a visitor's browser.
 *
 * Decision: raw HTML is filtered tag by tag, not with a tree sanitizer such as hast-util-sanitize.
 * Markdown splits HTML into fragments (`<details>` in one node, `</details>` several blocks later,
 * Markdown in between), and a tree sanitizer would close or drop such fragments and break expand
 * macros. So:
 * - `<script>`, `<style>`, `<iframe>`, `<object>`, `<svg>`, `<math>` and similar elements are
 *   removed with their content; `<embed>`, `<base>`, `<meta>`, `<link>`, form controls and any
 *   other tag not in {@link ALLOWED_TAGS} are removed, their content kept as text;
 * - on the tags kept, event handlers (`on*`), `srcdoc`, `formaction` and `action` are removed, and
 *   so is any URL attribute whose scheme is not http(s), mailto, tel or relative (data: only for
 *   images), after decoding character references and dropping the whitespace browsers ignore;
 * - Markdown links and images with such URLs lose the URL (text or alt text kept).
 */
import type { Definition, Html, Image, Link, Root } from 'mdast';
import type { Parent } from 'unist';
import type { Plugin } from 'unified';
import { escapeText, unwrap } from './markdown-syntax.ts';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';
import { documentNodes } from './walk.ts';

/** Tags kept (attributes filtered): formatting, structure, tables, media with checked URLs. */
export const ALLOWED_TAGS: ReadonlySet<string> = new Set(
  ('a abbr b bdi bdo blockquote br caption center cite code col colgroup dd del details dfn div dl dt em ' +
    'figcaption figure font h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p picture pre q rp rt ruby s samp ' +
    'small source span strike strong sub summary sup table tbody td tfoot th thead time tr tt u ul var wbr ' +
    'video audio track').split(' '),
);

/** Elements removed together with everything inside them. */
const DROPPED_WITH_CONTENT = 'script|style|iframe|object|applet|noscript|noembed|noframes|template|textarea|title|xmp|svg|math|frameset';
const DROPPED_ELEMENT = new RegExp(`<(${DROPPED_WITH_CONTENT})\\b[^>]*>[\\s\\S]*?(?:<\\/\\1\\s*>|$)`, 'gi');
const OPENS_DROPPED = new RegExp(`^<(${DROPPED_WITH_CONTENT})\\b`, 'i');
/** An HTML start or end tag: 1 `/` when closing, 2 name, 3 attributes, 4 `/` when self-closing. */
export const TAG = /<(\/?)([a-zA-Z][^\s/>]*)((?:\s*[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
/** One attribute of a tag: 1 name, then its value in 2 (double-quoted), 3 (single-quoted) or 4 (bare). */
export const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const URL_ATTRIBUTES = new Set(['href', 'src', 'xlink:href', 'background', 'poster', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'data', 'codebase', 'srcset']);
const REMOVED_ATTRIBUTES = new Set(['srcdoc', 'formaction', 'action']);

/** Whether a URL may appear on a public page (`image`: data: image URLs are allowed too). */
export function isSafeUrl(url: string, image = false): boolean {
  // Most URLs hold no character reference or ignorable character: skip decoding those.
  const plain = (/[&\u0000-\u0020\u007f-\u009f]/.test(url) ? decodeCharacterReferences(url).replace(/[\u0000-\u0020\u007f-\u009f]/g, '') : url).toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(plain)?.[1];
  if (scheme === undefined) return true;
  if (scheme === 'data') return image && /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp);/.test(plain);
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' || scheme === 'tel';
}

function decodeCharacterReferences(text: string): string {
  const named: Record<string, string> = { colon: ':', tab: '\t', newline: '\n', sol: '/', lpar: '(', rpar: ')', amp: '&' };
  return text.replace(/&(?:#x([0-9a-f]+)|#(\d+)|([a-z]+));?/gi, (all, hex: string, dec: string, name: string) => {
    if (hex || dec) return String.fromCodePoint(Math.min(Number.parseInt(hex ?? dec, hex ? 16 : 10), 0x10ffff));
    return named[name.toLowerCase()] ?? all;
  });
}

/** `html` with active content removed, as described at the top of this module. */
export function sanitizeHtml(html: string): string {
  return html.replace(DROPPED_ELEMENT, '').replace(TAG, (tag, close: string, rawName: string, attributes: string, selfClose: string) => {
    const name = rawName.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) return '';
    if (close) return tag;
    let changed = false;
    const kept: string[] = [];
    for (const [attribute, attrName, dq, sq, bare] of attributes.matchAll(ATTRIBUTE)) {
      const lower = attrName!.toLowerCase();
      const value = dq ?? sq ?? bare ?? '';
      const unsafe =
        lower.startsWith('on') ||
        REMOVED_ATTRIBUTES.has(lower) ||
        (URL_ATTRIBUTES.has(lower) && !isSafeUrl(value, name === 'img' || name === 'source')) ||
        (lower === 'style' && /expression\s*\(|javascript:|behavior\s*:/i.test(decodeCharacterReferences(value)));
      if (unsafe) changed = true;
      else kept.push(attribute);
    }
    return changed ? `<${rawName}${kept.map((a) => ` ${a}`).join('')}${selfClose ? ' /' : ''}>` : tag;
  });
}

export const remarkHtmlSafety: Plugin<[], Root> = function () {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const { node, index, parent } of documentNodes(tree)) {
      if (node.type === 'html') sanitizeNode(node, index, parent);
      else if (node.type === 'link' || node.type === 'image' || node.type === 'definition') disarm(node);
    }

    function sanitizeNode(node: Html, index: number | undefined, parent: Parent | undefined): void {
      const s = span(node);
      if (!s || state.handled.has(node)) return;
      const text = source.slice(s.start, s.end);
      // A paragraph of nothing but active inline HTML (`<object></object><embed>`) goes whole.
      if (index === 0 && parent?.type === 'paragraph' && grandparentIsRoot(parent)) {
        const siblings = parent.children;
        if (siblings.every((n) => n.type === 'html' && sanitizeHtml((n as Html).value).trim() === '') && removeBlock(span(parent)!)) {
          for (const sibling of siblings) state.handled.add(sibling);
          return;
        }
      }
      // Inline `<script>…</script>` is split into sibling nodes: drop everything up to the closing tag.
      const opened = OPENS_DROPPED.exec(text)?.[1]?.toLowerCase();
      const closes = (value: string) => new RegExp(`</${opened}\\s*>`, 'i').test(value);
      if (opened && !closes(text) && parent && index !== undefined && parent.type !== 'root') {
        const rest = parent.children.slice(index);
        const closingAt = rest.findIndex((n) => n.type === 'html' && closes((n as Html).value));
        const dropped = closingAt < 0 ? rest : rest.slice(0, closingAt + 1);
        for (const sibling of dropped) state.handled.add(sibling);
        state.edits.push({ start: s.start, end: span(dropped.at(-1)!)?.end ?? s.end, replace: '' });
        return;
      }
      const clean = sanitizeHtml(text);
      if (clean === text) return;
      if (clean.trim() === '' && parent?.type === 'root' && removeBlock(s)) return;
      // A function of the inner text: the attachments plugin may retarget URLs in the same HTML.
      state.edits.push({ start: s.start, end: s.end, replace: sanitizeHtml });
    }

    /**
     * Removes a block that was nothing but active content together with the blank lines after
     * it, so the page gets no gap; only after a blank line (or at the start), where that joins
     * no blocks. False when it cannot be removed that way.
     */
    function removeBlock(s: { start: number; end: number }): boolean {
      if (!/(?:^|\n[ \t]*\n)$/.test(source.slice(0, s.start))) return false;
      const end = s.end + (/^(?:[ \t]*\r?\n)*/.exec(source.slice(s.end))?.[0].length ?? 0);
      state.edits.push({ start: s.start, end, replace: '' });
      return true;
    }

    function grandparentIsRoot(paragraph: Parent): boolean {
      return tree.children.includes(paragraph as Root['children'][number]);
    }

    function disarm(node: Link | Image | Definition): void {
      if (isSafeUrl(node.url, node.type === 'image')) return;
      const s = span(node)!;
      state.handled.add(node);
      if (node.type === 'link') state.edits.push(...unwrap(source, node));
      else if (node.type === 'image') state.edits.push({ start: s.start, end: s.end, replace: escapeText(node.alt ?? '') });
      else state.edits.push({ start: s.start, end: s.end, replace: `[${node.label ?? node.identifier}]: #` });
    }
  };
};
