/**
 * Small helpers that write Markdown syntax for spliced replacements and find the parts of a
 * link's source text that mdast positions do not give directly.
 */
import { toString } from 'mdast-util-to-string';
import type { Image, Link, LinkReference } from 'mdast';
import type { Node } from 'unist';
import { span } from './splice.ts';
import type { Edit } from './state.ts';

/** Escapes text so that it reads literally as a link label or paragraph text, also inside a table cell. */
export function escapeText(text: string): string {
  return text.replace(/[\\`*_[\]<>|~!&#]/g, (c) => `\\${c}`).replace(/:\/\//g, '\\://');
}

/**
 * Writes a URL as a link destination: spaces, parentheses and angle brackets are percent-encoded
 * so the destination needs no `<...>` and survives in any Markdown context.
 */
export function formatDestination(url: string): string {
  return url.replace(/[ ()<>\n]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** ` "title"` for a link title, or nothing. */
export function formatTitle(title: string | null | undefined): string {
  return title ? ` "${title.replace(/["\\]/g, (c) => `\\${c}`)}"` : '';
}

/**
 * Offset of the `]` that closes a link's label: after its last child, or right after `[` for an
 * empty label. Undefined for autolinks and GFM bare URLs, which have no label.
 */
export function labelEnd(source: string, node: Link | LinkReference): number | undefined {
  const s = span(node);
  if (!s || source[s.start] !== '[') return undefined;
  const last = node.children.at(-1);
  const end = last ? span(last)?.end : s.start + 1;
  return end !== undefined && source[end] === ']' ? end : undefined;
}

/** Edits that point an existing link or image at `url`, keeping its label, alt and title. */
export function retarget(source: string, node: Link | Image, url: string): Edit[] {
  const s = span(node)!;
  if (node.type === 'image') {
    return [{ start: s.start, end: s.end, replace: `![${escapeText(node.alt ?? '')}](${formatDestination(url)}${formatTitle(node.title)})` }];
  }
  const end = labelEnd(source, node);
  if (end !== undefined) return [{ start: end + 1, end: s.end, replace: `(${formatDestination(url)}${formatTitle(node.title)})` }];
  // An autolink or bare URL: its text is the URL, so it can only become a new autolink.
  return [{ start: s.start, end: s.end, replace: `<${formatDestination(url)}>` }];
}

/**
 * Edits that replace a link by its label (text kept, no href). Deleting `[` and `](url)` joins
 * what was around them: `<img[ src=x onerror=…>](url)` would become a tag, `[a [b]](url)(javascript:…)`
 * a new link. Where the neighbours could join like that, the label is kept inside a `<span>`
 * instead, whose tags end whatever the left side started and start nothing on the right.
 * `after` (raw HTML the rewrite wrote, such as a placeholder) follows the label.
 */
export function unwrap(source: string, node: Link | LinkReference, after = ''): Edit[] {
  const s = span(node)!;
  const end = labelEnd(source, node);
  if (end === undefined) return [replaceByText(source, node, toString(node))];
  const risky = joinRisk(source, s.start, s.end) || /[<>[\]\\`]/.test(source.slice(s.start + 1, end));
  return [
    { start: s.start, end: s.start + 1, replace: risky ? '<span>' : '' },
    { start: end, end: s.end, replace: `${risky ? '</span>' : ''}${after}` },
  ];
}

/** An edit replacing the whole node by plain text, escaped, kept apart from its neighbours as {@link unwrap} does. */
export function replaceByText(source: string, node: Node, text: string): Edit {
  const s = span(node)!;
  const escaped = escapeText(text);
  return { start: s.start, end: s.end, replace: joinRisk(source, s.start, s.end) ? `<span>${escaped}</span>` : escaped };
}

/**
 * An edit replacing the whole node by raw HTML the rewrite wrote (a placeholder, or nothing). Where
 * the neighbours could join with it (see {@link joinRisk}), an empty `<span></span>` comes first:
 * its `>` ends whatever tag the left side left open, so that tag cannot take the HTML's attributes,
 * and it keeps the two sides apart when the node goes without a trace.
 */
export function replaceByHtml(source: string, node: Node, html: string): Edit {
  const s = span(node)!;
  // Removed outright, the node also joins its neighbours to each other: `<` and `img …>` make a tag.
  const risky = joinRisk(source, s.start, s.end) || (html === '' && /[<&]$/.test(source.slice(0, s.start)));
  return { start: s.start, end: s.end, replace: risky ? `<span></span>${html}` : html };
}

/**
 * Whether text put at `start`…`end` could combine with its neighbours into markup: the left side
 * holds an unfinished tag, autolink or comment (`<img`, `<java`, `<!-`) or ends in a character that
 * opens or continues link or code syntax (`!`, `[`, `]`, `\`, `` ` ``), or the right side could
 * continue a link (`(`, `[`, `]`). Anything else the text meets (`:` after a link in a list, an
 * entity, emphasis) cannot make a tag, a link or an autolink out of it.
 */
function joinRisk(source: string, start: number, end: number): boolean {
  const before = source.slice(Math.max(0, start - 400), start);
  return /<[A-Za-z!?/][^<>]*$/.test(before) || /[!\[\]\\`]$/.test(before) || /^[([\]]/.test(source.slice(end, end + 1));
}

/** An edit replacing the whole node by a new link `[text](url)`. */
export function replaceByLink(node: Node, text: string, url: string): Edit {
  const s = span(node)!;
  return { start: s.start, end: s.end, replace: `[${escapeText(text)}](${formatDestination(url)})` };
}
