/**
 * Plugin: the page title. The first top-level `# Title` is removed from the body and recorded
 * (Starlight renders the title as the page's only `<h1>`); any other H1 is demoted to H2.
 */
import type { Plugin } from 'unified';
import type { Root } from 'mdast';
import { findTitleHeading, headingText } from './headings.ts';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';
import { nodesOfType } from './walk.ts';

export const remarkTitle: Plugin<[], Root> = function () {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    const title = findTitleHeading(tree);
    if (title) {
      const s = span(title)!;
      state.title = headingText(title).trim();
      state.titleNode = title;
      // Take the blank lines after the title too, so the body does not start with empty lines.
      // A title below other content leaves a blank line, so the blocks around it stay apart.
      const end = s.end + (/^(?:[ \t]*\r?\n)*/.exec(source.slice(s.end))?.[0].length ?? 0);
      state.edits.push({ start: s.start, end, replace: source.slice(0, s.start).trim() === '' ? '' : '\n' });
    }
    for (const node of nodesOfType(tree, 'heading')) {
      if (node === title || node.depth !== 1) continue;
      const s = span(node)!;
      const text = source.slice(s.start, s.end);
      const hash = text.indexOf('#');
      if (/^ {0,3}#/.test(text)) {
        state.edits.push({ start: s.start + hash, end: s.start + hash, replace: '#' });
      } else {
        // Setext heading: its last line is the `===` underline, which becomes `---`.
        const underline = text.lastIndexOf('\n') + 1;
        state.edits.push({ start: s.start + underline, end: s.end, replace: text.slice(underline).replace(/=/g, '-') });
      }
    }
  };
};
