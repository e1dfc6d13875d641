/**
 * Plugin: expand macros come out as `<details><summary>…</summary>…</details>`. CommonMark ends
 * an HTML block only at a blank line, so Markdown written right after `</summary>` or right
 * before `</details>` would stay raw text. This plugin inserts those blank lines, keeping the
 * HTML (and the collapsible behaviour). It runs as its own pass before the others (see
 * rewrite.ts) because the content it frees must be parsed again for its links.
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

export const remarkExpandMacros: Plugin<[], Root> = function () {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const node of nodesOfType(tree, 'html')) {
      const s = span(node);
      if (!s || !/<\/summary|<\/details/i.test(node.value)) continue;
      const text = source.slice(s.start, s.end);
      const separated = separateExpandContent(text);
      if (separated !== text) state.edits.push({ start: s.start, end: s.end, replace: separated });
    }
  };
};
