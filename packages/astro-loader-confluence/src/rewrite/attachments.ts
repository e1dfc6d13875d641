/**
 * Plugin: images and links that reference attachments are pointed at the site's copy. Relative
 * references (`attachments/x.png`, `./attachments/My%20File.pdf`) resolve against this page;
 * Confluence download and thumbnail URLs carry the owning page's id. An attachment the export left
 * out never becomes a broken image: it turns into a link to Confluence, or its alt text. Raw HTML
 * (`<img src>`, `<a href>`) is not parsed here: the rendered page goes through the HTML pass
 * (rendered-html.ts), which resolves its URLs the same way (targets.ts).
 */
import { toString } from 'mdast-util-to-string';
import type { Image, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import type { RewriteContext } from './context.ts';
import { replaceByLink, replaceByText, retarget, unwrap } from './markdown-syntax.ts';
import { rewriteState } from './state.ts';
import { attachmentRef, textRevealsTarget, UNPUBLISHED_LINK_TEXT, type AttachmentRef } from './targets.ts';
import { documentNodes } from './walk.ts';

/**
 * Attachments a browser opens as a live document on the site's origin, where their scripts would
 * run: not published unless the site opts in (publishActiveAttachments). SVG is published, but
 * sanitised (starlight/attachments-integration.ts) and never through Astro's image pipeline, which
 * would copy the file as it is.
 */
export const ACTIVE_ATTACHMENT = /\.(?:html?|xhtml?|shtml|mht(?:ml)?|xml|xslt?|svgz|m?js|cjs|swf)$/i;

/** Options: the parts of the {@link RewriteContext} that attachments depend on. */
export type ConfluenceAttachmentsOptions = Pick<RewriteContext, 'page' | 'siteHosts' | 'cloudId' | 'attachment' | 'pageById'>;

export const remarkConfluenceAttachments: Plugin<[ConfluenceAttachmentsOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const { node } of documentNodes(tree)) {
      if ((node.type === 'image' || node.type === 'link') && !state.handled.has(node)) rewriteReference(node);
    }

    function rewriteReference(node: Image | Link): void {
      const ref = attachmentRef(node.url, node.type === 'image' ? 'image' : 'link', options);
      if (!ref) return;
      state.handled.add(node);
      // A file of a page that is not published is never served, whatever the resolver has.
      const hidden = ownerUnpublished(ref, options);
      const found: ReturnType<RewriteContext['attachment']> = hidden ? { missing: true } : options.attachment(ref);
      if (!('missing' in found)) {
        state.edits.push(...retarget(source, node, found.url));
        return;
      }
      state.warnings.push(missingAttachmentWarning(options.page, ref, found, hidden));
      const text = node.type === 'image' ? node.alt || (hidden ? UNPUBLISHED_LINK_TEXT : ref.fileName) : toString(node);
      if (found.confluenceUrl) {
        state.edits.push(...(node.type === 'link' ? retarget(source, node, found.confluenceUrl) : [replaceByLink(node, text, found.confluenceUrl)]));
      } else if (textRevealsTarget(text, node.url, ref.pageId, options)) {
        // A URL as the text would show the id of a page that is not published.
        state.edits.push(replaceByText(source, node, UNPUBLISHED_LINK_TEXT));
      } else {
        state.edits.push(...(node.type === 'link' ? unwrap(source, node) : [replaceByText(source, node, text)]));
      }
    }
  };
};

/** Whether the attachment belongs to another page that is not published. */
export function ownerUnpublished(ref: AttachmentRef, options: Pick<RewriteContext, 'page' | 'pageById'>): boolean {
  return ref.pageId !== undefined && ref.pageId !== options.page.id && typeof options.pageById(ref.pageId) === 'string';
}

/**
 * The warning for an attachment the site does not have. A file of a page that is not published is
 * not named (a file name can say as much as a title): only that page's id is.
 */
export function missingAttachmentWarning(
  page: RewriteContext['page'],
  ref: AttachmentRef,
  found: { confluenceUrl?: string; withheld?: true },
  hidden: boolean,
): string {
  if (hidden) return `Page "${page.title}" (${page.id}): links to an attachment of page ${ref.pageId}, which is not published; only the link text is kept.`;
  const instead = found.confluenceUrl ? '; linking to it in Confluence instead.' : '; only its name is shown.';
  if (found.withheld) {
    return `Page ${page.id}: attachment "${ref.fileName}" is a document a browser would run (HTML, XML, script) and is not published${instead} Set publishActiveAttachments: true to publish such files.`;
  }
  return `Page "${page.title}" (${page.id}): attachment "${ref.fileName}" is not in the export${instead}`;
}
