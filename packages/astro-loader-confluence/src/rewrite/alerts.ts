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

/** GFM alert types (`> [!NOTE]`) for the panel labels, for Markdown read outside Starlight. */
export const GFM_ALERT_FOR_LABEL: Readonly<Record<string, string>> = {
  note: 'NOTE',
  info: 'NOTE',
  important: 'IMPORTANT',
  tip: 'TIP',
  success: 'TIP',
  warning: 'WARNING',
  caution: 'CAUTION',
  error: 'CAUTION',
};

export interface AlertsOptions {
  /**
   * `'starlight'` (default): aside directives, which the site renders. `'gfm'`: GFM alerts, the
   * portable form for Markdown files (`confluence-export export`); GFM alerts are then left as they are.
   */
  syntax?: 'starlight' | 'gfm';
}

export const remarkConfluenceAlerts: Plugin<[AlertsOptions?], Root> = function (options = {}) {
  const gfm = options.syntax === 'gfm';
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const node of nodesOfType(tree, 'blockquote')) {
      const s = span(node);
      const first = node.children[0];
      const from = first && span(first)?.start;
      if (!s || first?.type !== 'paragraph' || from === undefined || !node.position) continue;
      const opening = source.slice(from, from + 40);
      if (gfm ? !BOLD_LABEL.test(opening) : !GFM_ALERT.test(opening) && !BOLD_LABEL.test(opening)) continue;
      const indent = node.position.start.column - 1;
      const convert = gfm ? toGfmAlert : toAside;
      state.edits.push({ start: s.start, end: s.end, replace: (inner) => convert(inner, indent) ?? inner });
    }
  };
};

/** The blockquote's text without its `> ` markers and container indentation. */
function unquote(blockquoteSource: string, indent: number): string {
  const prefix = new RegExp(`^[ \\t]{0,${indent}}`);
  return blockquoteSource.split('\n').map((line, i) => (i === 0 ? line : line.replace(prefix, '')).replace(/^ {0,3}> ?/, '')).join('\n');
}

/** A bold-label panel (`> **Info:** …`) as a GFM alert (`> [!NOTE]`), or undefined if it is none. */
export function toGfmAlert(blockquoteSource: string, indent: number): string | undefined {
  const body = unquote(blockquoteSource, indent);
  const label = BOLD_LABEL.exec(body);
  if (!label) return undefined;
  const content = body.slice(label[0].length).replace(/^\n+|\n+$/g, '');
  const pad = ' '.repeat(indent);
  const lines = [`[!${GFM_ALERT_FOR_LABEL[label[1]!.toLowerCase()]}]`, ...(content ? content.split('\n') : [])];
  return lines.map((line, i) => `${i === 0 ? '' : pad}>${line ? ` ${line}` : ''}`).join('\n');
}

/**
 * The aside directive for a blockquote's source (`> ` markers included, `indent` columns of
 * container indentation on every line but the first), or undefined if it is no panel.
 */
export function toAside(blockquoteSource: string, indent: number): string | undefined {
  const body = unquote(blockquoteSource, indent);
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
