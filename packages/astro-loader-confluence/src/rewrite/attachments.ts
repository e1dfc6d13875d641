/**
 * Plugin: images and links that reference attachments are pointed at the site's copy. Relative
 * references (`attachments/x.png`, `./attachments/My%20File.pdf`) resolve against this page;
 * Confluence download and thumbnail URLs carry the owning page's id. An attachment the export
 * left out never becomes a broken image: it turns into a link to Confluence, or its alt text.
 */
import { visit } from 'unist-util-visit';
import type { Image, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import { decodeSegment, parseConfluenceUrl } from '../confluence-urls.ts';
import type { RewriteContext } from './context.ts';
import { escapeText, replaceByLink, retarget, unwrap } from './markdown-syntax.ts';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';

/** Options: the parts of the {@link RewriteContext} that attachments depend on. */
export type ConfluenceAttachmentsOptions = Pick<RewriteContext, 'page' | 'siteHosts' | 'cloudId' | 'attachment'>;

/** A URL with a scheme (`https:`, `mailto:`) or protocol-relative: never a relative attachment path. */
const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

export const remarkConfluenceAttachments: Plugin<[ConfluenceAttachmentsOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    visit(tree, (node) => {
      if ((node.type !== 'image' && node.type !== 'link') || state.handled.has(node)) return;
      const ref = attachmentRef(node);
      if (!ref) return;
      state.handled.add(node);
      const found = options.attachment(ref);
      if (!('missing' in found)) {
        state.edits.push(...retarget(source, node, found.url));
        return;
      }
      state.warnings.push(
        `Page "${options.page.title}" (${options.page.id}): attachment "${ref.fileName}" is not in the export` +
          (found.confluenceUrl ? '; linking to it in Confluence instead.' : '; only its name is shown.'),
      );
      if (node.type === 'link') {
        state.edits.push(...(found.confluenceUrl ? retarget(source, node, found.confluenceUrl) : unwrap(source, node)));
        return;
      }
      const text = node.alt || ref.fileName;
      const s = span(node)!;
      state.edits.push(found.confluenceUrl ? replaceByLink(node, text, found.confluenceUrl) : { start: s.start, end: s.end, replace: escapeText(text) });
    });
  };

  function attachmentRef(node: Image | Link): Parameters<RewriteContext['attachment']>[0] | undefined {
    const url = node.url;
    const target = parseConfluenceUrl(url, options);
    const usage = node.type === 'image' ? 'image' : 'link';
    if (target?.kind === 'attachment') return { pageId: target.pageId, fileName: target.fileName, usage };
    if (target || url === '' || url.startsWith('#') || url.startsWith('/') || ABSOLUTE.test(url)) return undefined;
    const path = decodeSegment(url.replace(/[?#].*$/, ''));
    const segments = path.split('/');
    // Links to relative paths other than attachments (e.g. a `.md` file) are not ours; images always are.
    if (node.type === 'link' && !segments.includes('attachments')) return undefined;
    return { fileName: segments.at(-1)!, relativePath: path, usage };
  }
};
