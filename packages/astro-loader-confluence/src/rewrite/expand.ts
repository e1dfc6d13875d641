/**
 * Plugin: expand macros come out as `<details><summary>…</summary>…</details>`. CommonMark ends
 * an HTML block only at a blank line, so Markdown written right after `</summary>` or right
 * before `</details>` would stay raw text. This plugin inserts those blank lines, keeping the
 * HTML (and the collapsible behaviour). It runs as its own pass before the others (see
 * rewrite.ts) because the content it frees must be parsed again for its links.
 *
 * An expand inside a list item or a quote (a Confluence panel) keeps its container: every line
 * it writes carries the container's prefix (the list item's indentation, the quote's `>`), or
 * the list or quote would end at the first inserted blank line.
 */
import type { Root } from 'mdast';
import type { Plugin } from 'unified';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';
import { nodesOfType } from './walk.ts';

/** `html` with a blank line after each `</summary>` and before each `</details>` that lack one. */
export function separateExpandContent(html: string): string {
  return html
    .replace(/(<\/summary\s*>)[ \t]*\n?[ \t]*(?=\S)(?!<\/details)/gi, '$1\n\n')
    .replace(/(?<!<\/summary\s*)(\S)[ \t]*\n?[ \t]*(<\/details\s*>)/gi, '$1\n\n$2');
}

/**
 * `separateExpandContent` for an HTML block that sits in containers. `html` is its source text,
 * whose lines after the first begin with the containers' prefix; `firstLinePrefix` is what stands
 * before the block on its first line (`- `, `> `, `> 1. `). The prefix of the lines that follow is
 * that with list markers as spaces, since only a quote's `>` repeats on every line.
 */
export function separateExpandContentIn(html: string, firstLinePrefix: string): string {
  const prefix = firstLinePrefix.replace(/[^>\s]/g, ' ');
  if (prefix === '') return separateExpandContent(html);
  const bare = prefix.trimEnd();
  const [first, ...rest] = html.split('\n');
  const inner = [first, ...rest.map((line) => (line.startsWith(prefix) ? line.slice(prefix.length) : line.startsWith(bare) ? line.slice(bare.length) : line))];
  const separated = separateExpandContent(inner.join('\n'));
  if (separated === inner.join('\n')) return html;
  return separated
    .split('\n')
    .map((line, i) => (i === 0 ? line : line === '' ? bare : prefix + line))
    .join('\n');
}

export const remarkExpandMacros: Plugin<[], Root> = function () {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const node of nodesOfType(tree, 'html')) {
      const s = span(node);
      if (!s || !/<\/summary|<\/details/i.test(node.value)) continue;
      const text = source.slice(s.start, s.end);
      const firstLinePrefix = source.slice(source.lastIndexOf('\n', s.start - 1) + 1, s.start);
      const separated = separateExpandContentIn(text, firstLinePrefix);
      if (separated !== text) state.edits.push({ start: s.start, end: s.end, replace: separated });
    }
  };
};
