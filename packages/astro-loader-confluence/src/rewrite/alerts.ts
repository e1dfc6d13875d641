/**
 * Plugin: Confluence panels, which come out as GFM alerts (`> [!WARNING]`) or as blockquotes
 * opening with a bold label (`> **Info:** …`), become Starlight aside directives (`:::caution`).
 * Starlight's renderMarkdown turns those into asides; it leaves a GFM alert a plain blockquote.
 */
import type { Root } from 'mdast';
import type { Plugin } from 'unified';
import { rewriteParser } from './parse.ts';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';
import { nodesOfType } from './walk.ts';

/** Starlight aside types. */
export type AsideType = 'note' | 'tip' | 'caution' | 'danger';

/** Alert and panel labels (lowercase) and the aside each becomes. */
export const ASIDE_FOR_LABEL: Readonly<Record<string, AsideType>> = {
  note: 'note',
  info: 'note',
  important: 'note',
  tip: 'tip',
  success: 'tip',
  warning: 'caution',
  caution: 'danger',
  error: 'danger',
};

const GFM_ALERT = /^\[!(note|tip|important|warning|caution)\][ \t]*([^\n]*)(?:\n|$)/i;
const BOLD_LABEL = /^\*\*(info|note|tip|warning|error|success)(?::\*\*|\*\*[ \t]*:|\*\*)[ \t]*(?:\n|(?=\S))/i;

export const remarkConfluenceAlerts: Plugin<[], Root> = function () {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const node of nodesOfType(tree, 'blockquote')) {
      const s = span(node);
      const first = node.children[0];
      const from = first && span(first)?.start;
      if (!s || first?.type !== 'paragraph' || from === undefined || !node.position) continue;
      const opening = source.slice(from, from + 40);
      if (!GFM_ALERT.test(opening) && !BOLD_LABEL.test(opening)) continue;
      const indent = node.position.start.column - 1;
      state.edits.push({ start: s.start, end: s.end, replace: (inner) => toAside(inner, indent) ?? inner });
    }
  };
};

/**
 * The aside directive for a blockquote's source (`> ` markers included, `indent` columns of
 * container indentation on every line but the first), or undefined if it is no panel.
 */
export function toAside(blockquoteSource: string, indent: number): string | undefined {
  const lines = blockquoteSource.split('\n');
  const prefix = new RegExp(`^[ \\t]{0,${indent}}`);
  const body = lines.map((line, i) => (i === 0 ? line : line.replace(prefix, '')).replace(/^ {0,3}> ?/, '')).join('\n');
  const gfmAlert = GFM_ALERT.exec(body);
  const alert = gfmAlert ?? BOLD_LABEL.exec(body);
  if (!alert) return undefined;
  const type = ASIDE_FOR_LABEL[alert[1]!.toLowerCase()]!;
  // GFM gives alerts no title; text after the marker on its line is taken as one.
  const title = gfmAlert?.[2]?.trim() ?? '';
  const rest = body.slice(alert[0].length).replace(/^\n+|\n+$/g, '');
  // Text that followed a bold label on its line now starts a line of its own.
  const content = gfmAlert || alert[0].endsWith('\n') ? rest : keepAsText(rest);
  let fence = ':::';
  while (new RegExp(`^\\s*${fence}`, 'm').test(content)) fence += ':';
  const directive = `${fence}${type}${title ? `[${title.replace(/[[\]]/g, (c) => `\\${c}`)}]` : ''}\n${content}${content ? '\n' : ''}${fence}`;
  const pad = ' '.repeat(indent);
  return directive.split('\n').map((line, i) => (i === 0 || line === '' ? line : pad + line)).join('\n');
}

const parser = rewriteParser().freeze();

/**
 * `text` (what followed a panel's bold label on the same line) with its first character escaped
 * when, at the start of a line, it would open a block: `> x` a quote, `- x` a list, `# x` a
 * heading, `2024. x` a numbered list, a code fence, a rule. The parser decides, not a pattern:
 * `#tag` or `-- x` stay as they are. A line that opens an HTML block is left alone, since
 * escaping its `<` would show the tag as text.
 */
export function keepAsText(text: string): string {
  const lineEnd = text.indexOf('\n');
  const line = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const first = parser.parse(line).children[0];
  if (!first || first.type === 'paragraph' || first.type === 'html') return text;
  if (first.type === 'list' && first.ordered) return text.replace(/^(\d+)([.)])/, '$1\\$2');
  return /^[!-/:-@[-`{-~]/.test(text) ? `\\${text}` : text;
}
