/**
 * The parser the rewrite runs: plain remark-parse with the constructs that can never change what
 * the rewrite sees switched off, plus {@link remarkBareUrls} in place of GFM's autolink literals.
 * Parsing is most of the rewrite's cost, and with remark-gfm it alone is about half of Astro's
 * whole render (bench/rewrite.bench.ts). The splice compiler needs no emphasis, tables,
 * strikethrough, task lists or footnotes as nodes: their text is kept byte for byte and links
 * inside them are still found (a table row parses as a paragraph). Heading text, where emphasis
 * matters for the slug, is re-parsed with {@link fullParser}.
 */
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified, type Plugin, type Processor } from 'unified';
import { visit, SKIP } from 'unist-util-visit';
import type { Link, PhrasingContent, Root, Text } from 'mdast';
import type { Point } from 'unist';

const UNNEEDED_CONSTRUCTS = ['attention', 'hardBreakEscape', 'hardBreakTrailing'];

/** Plugin: turn off the micromark constructs listed above. */
export const remarkRewriteSyntax: Plugin<[], Root> = function () {
  const data = this.data();
  (data.micromarkExtensions ??= []).push({ disable: { null: UNNEEDED_CONSTRUCTS } });
};

/** A bare `http(s)://` URL as GFM delimits it: up to whitespace or `<`, minus trailing punctuation. */
const BARE_URL = /https?:\/\/[^\s<]+/gi;

/** Trims what GFM does not count as part of a bare URL: trailing punctuation and unbalanced `)`. */
export function trimBareUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last && '?!.,:*_~\'"'.includes(last)) end--;
    else if (last === ')' && (url.slice(0, end).match(/\(/g)?.length ?? 0) < (url.slice(0, end).match(/\)/g)?.length ?? 0)) end--;
    else if (last === ';' && /&[a-z0-9]+;$/i.test(url.slice(0, end))) end = url.slice(0, end).lastIndexOf('&');
    else return url.slice(0, end);
  }
}

/**
 * Plugin: bare `http(s)://` URLs in text become `link` nodes, as GFM's autolink literals would,
 * at a fraction of remark-gfm's parsing cost. Text with escapes or entities (whose value differs
 * from its source) is left alone, since offsets into it would not match the source.
 */
export const remarkBareUrls: Plugin<[], Root> = function () {
  return (tree, file) => {
    const source = String(file.value);
    visit(tree, (node, index, parent) => {
      if (node.type === 'link' || node.type === 'linkReference') return SKIP;
      if (node.type !== 'text' || !parent || index === undefined || !node.value.includes('://')) return;
      const start = node.position?.start;
      const end = node.position?.end.offset;
      if (start?.offset === undefined || source.slice(start.offset, end) !== node.value) return;
      const parts: PhrasingContent[] = [];
      let cursor = 0;
      for (const match of node.value.matchAll(BARE_URL)) {
        const url = trimBareUrl(match[0]);
        if (match.index > 0 && /[\w/]/.test(node.value[match.index - 1]!)) continue;
        if (match.index > cursor) parts.push(textNode(node, cursor, match.index));
        const link: Link = { type: 'link', url, title: null, children: [textNode(node, match.index, match.index + url.length)] };
        link.position = { start: pointAt(node, match.index), end: pointAt(node, match.index + url.length) };
        parts.push(link);
        cursor = match.index + url.length;
      }
      if (parts.length === 0) return;
      if (cursor < node.value.length) parts.push(textNode(node, cursor, node.value.length));
      (parent.children as PhrasingContent[]).splice(index, 1, ...parts);
      return [SKIP, index + parts.length];
    });
  };
};

function textNode(node: Text, from: number, to: number): Text {
  return { type: 'text', value: node.value.slice(from, to), position: { start: pointAt(node, from), end: pointAt(node, to) } };
}

/** The point `offset` characters into a text node whose value equals its source. */
function pointAt(node: Text, offset: number): Point {
  const start = node.position!.start;
  const before = node.value.slice(0, offset);
  const newline = before.lastIndexOf('\n');
  const lines = before.split('\n').length - 1;
  return { line: start.line + lines, column: newline < 0 ? start.column + offset : offset - newline, offset: start.offset! + offset };
}

/** The parse used by every rewrite pass. */
export function rewriteParser(): Processor<Root> {
  return unified().use(remarkParse).use(remarkRewriteSyntax).use(remarkBareUrls) as unknown as Processor<Root>;
}

/** Full GFM parse, as Astro does it; used only on short snippets such as heading text. */
export const fullParser: Processor<Root> = unified().use(remarkParse).use(remarkGfm).freeze() as unknown as Processor<Root>;
