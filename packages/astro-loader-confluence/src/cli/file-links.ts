/**
 * From site URLs to file links, for `export`. The pipeline rewrites every page for a site: page
 * links become `{base}{path}/#anchor`, attachments `{base}_attachments/{id}/{file}` or a path into
 * the raw cache. With a base nobody writes by hand, this pass finds exactly those URLs again and
 * points them at the exported `.md` files and copied attachments, relatively, splicing only the
 * URLs (the rest of the page keeps its bytes, as in the site rewrite).
 */
import type { Definition, Image, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import { visit } from 'unist-util-visit';
import { formatDestination, formatTitle, retarget } from '../rewrite/markdown-syntax.ts';
import { rewriteParser } from '../rewrite/parse.ts';
import { span, spliceCompiler } from '../rewrite/splice.ts';
import { rewriteState } from '../rewrite/state.ts';

/** The base the pipeline is run with for an export: never a real site path. */
export const EXPORT_BASE = '/__confluence_export__/';

/** Returns the file link for a URL the pipeline wrote, or undefined to leave it alone. */
export type UrlMapper = (url: string, usage: 'link' | 'image') => string | undefined;

const remarkFileLinks: Plugin<[UrlMapper], Root> = function (map) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    visit(tree, (node) => {
      if (node.type === 'link' || node.type === 'image') {
        const url = map((node as Link | Image).url, node.type === 'image' ? 'image' : 'link');
        if (url !== undefined) state.edits.push(...retarget(source, node as Link | Image, url));
      } else if (node.type === 'definition') {
        const definition = node as Definition;
        const url = map(definition.url, 'link');
        const s = span(definition);
        if (url !== undefined && s) {
          state.edits.push({ start: s.start, end: s.end, replace: `[${definition.label ?? definition.identifier}]: ${formatDestination(url)}${formatTitle(definition.title)}` });
        }
      } else if (node.type === 'html' && node.value.includes(EXPORT_BASE)) {
        // Raw HTML keeps attachments at served URLs (attachments.ts): swap each for its file.
        const s = span(node);
        if (!s) return;
        const text = source.slice(s.start, s.end).replace(/(["'])(\/__confluence_export__\/[^"']*)\1/g, (whole, quote: string, url: string) => {
          const mapped = map(url.replace(/&amp;/g, '&'), 'link');
          return mapped === undefined ? whole : `${quote}${mapped.replace(/&/g, '&amp;').replace(/"/g, '%22')}${quote}`;
        });
        state.edits.push({ start: s.start, end: s.end, replace: text });
      }
    });
  };
};

const processor = rewriteParser().freeze();

/** `markdown` with every URL `map` knows replaced by its file link. */
export function relinkForFiles(markdown: string, map: UrlMapper): string {
  return String(processor().use(remarkFileLinks, map).use(spliceCompiler).processSync(markdown));
}
