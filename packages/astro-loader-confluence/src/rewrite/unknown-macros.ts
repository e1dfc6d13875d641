/**
 * Plugin: macros the exporter could not convert. Exporters write them as an image of Confluence's
 * placeholder servlet (`https://{site}/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=jira&…`,
 * host-relative, or without `/wiki`), which a reader of the public site cannot load. By the
 * `unknownMacros` option the image becomes a short note ("This content (jira) is available in
 * Confluence.", placeholders.ts) or goes. Raw HTML `<img>` of the same URL is handled by the HTML
 * pass (html-tree.ts) through {@link unknownMacroName}.
 */
import type { Root } from 'mdast';
import type { Plugin } from 'unified';
import type { RewriteContext } from './context.ts';
import { replaceByHtml } from './markdown-syntax.ts';
import { MAX_MACRO_NAME, placeholderMarkdown, shownName, unknownMacroText } from './placeholders.ts';
import { rewriteState } from './state.ts';
import { nodesOfType } from './walk.ts';

/** The servlet's path, with or without the `/wiki` context path Confluence Cloud puts before it. */
const PLACEHOLDER_PATH = /^(?:\/wiki)?\/plugins\/servlet\/confluence\/placeholder\/unknown-macro\/?$/i;

/**
 * The macro an image URL stands for, when it is Confluence's unknown-macro placeholder: its name
 * as a note may show it ('' when the URL names none); undefined for any other URL. The URL is
 * parsed (absolute on any host, host-relative or relative): only its path and `name` parameter count.
 */
export function unknownMacroName(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url, 'https://site.invalid/');
  } catch {
    return undefined;
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !PLACEHOLDER_PATH.test(parsed.pathname)) return undefined;
  return shownName(parsed.searchParams.get('name') ?? '', MAX_MACRO_NAME);
}

/** The one warning of a page about its unknown macros, or undefined when it has none. */
export function unknownMacrosWarning(pageId: string, names: readonly string[], mode: UnknownMacros): string | undefined {
  if (names.length === 0) return undefined;
  const listed = [...new Set(names.map((name) => name || 'unnamed'))].join(', ');
  const what = names.length === 1 ? 'macro the exporter could not convert' : 'macros the exporter could not convert';
  const outcome = mode === 'remove' ? (names.length === 1 ? 'is left out' : 'are left out') : names.length === 1 ? 'is shown as a note' : 'are shown as a note';
  return `Page ${pageId}: ${names.length} ${what} (${listed}) ${outcome}.`;
}

export type UnknownMacros = NonNullable<RewriteContext['unknownMacros']>;

export const remarkUnknownMacros: Plugin<[Pick<RewriteContext, 'page' | 'unknownMacros'>], Root> = function (options) {
  const mode: UnknownMacros = options.unknownMacros ?? 'note';
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    const names: string[] = [];
    for (const node of nodesOfType(tree, 'image')) {
      if (state.handled.has(node)) continue;
      const name = unknownMacroName(node.url);
      if (name === undefined) continue;
      state.handled.add(node);
      names.push(name);
      state.edits.push(replaceByHtml(source, node, mode === 'remove' ? '' : placeholderMarkdown('unknown-macro', unknownMacroText(name))));
    }
    const warning = unknownMacrosWarning(options.page.id, names, mode);
    if (warning) state.warnings.push(warning);
  };
};
