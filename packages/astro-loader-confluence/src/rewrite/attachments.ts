/**
 * Plugin: images and links that reference attachments are pointed at the site's copy. Relative
 * references (`attachments/x.png`, `./attachments/My%20File.pdf`) resolve against this page;
 * Confluence download and thumbnail URLs carry the owning page's id. An attachment the site does
 * not have never becomes a broken image: it turns into a placeholder naming the file
 * (placeholders.ts), or with `missingFiles: 'confluence'` a link to it in Confluence; a file of a
 * page that is not published is never named, only the words around it stay. Raw HTML
 * (`<img src>`, `<a href>`) is not parsed here: the rendered page goes through the HTML pass
 * (rendered-html.ts), which resolves its URLs the same way (targets.ts).
 */
import { toString } from 'mdast-util-to-string';
import type { Definition, Image, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import type { RewriteContext } from './context.ts';
import { labelEnd, replaceByHtml, replaceByLink, replaceByText, retarget, unwrap } from './markdown-syntax.ts';
import { missingFileText, placeholderMarkdown } from './placeholders.ts';
import { rewriteState } from './state.ts';
import { attachmentRef, textRevealsTarget, UNPUBLISHED_LINK_TEXT, type AttachmentRef } from './targets.ts';
import { span } from './splice.ts';
import { documentNodes, nodesOfType } from './walk.ts';

/**
 * Attachments a browser opens as a live document on the site's origin, where their scripts would
 * run: not published unless the site opts in (publishActiveAttachments). SVG is published, but
 * sanitised (starlight/attachments-integration.ts) and never through Astro's image pipeline, which
 * would copy the file as it is.
 */
export const ACTIVE_ATTACHMENT = /\.(?:html?|xhtml?|shtml|mht(?:ml)?|xml|xslt?|svgz|m?js|cjs|swf)$/i;

/** Options: the parts of the {@link RewriteContext} that attachments depend on. */
export type ConfluenceAttachmentsOptions = Pick<RewriteContext, 'page' | 'siteHosts' | 'cloudId' | 'attachment' | 'pageById' | 'missingFiles'>;

export const remarkConfluenceAttachments: Plugin<[ConfluenceAttachmentsOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    // Reference-style links and images (`[spec][s]` … `[s]: attachments/spec.pdf`) to attachments
    // are written inline, each rewritten as the inline form would be; their definitions go.
    const definitions = new Map<string, Definition>();
    for (const definition of nodesOfType(tree, 'definition')) {
      if (!definitions.has(definition.identifier) && attachmentRef(definition.url, 'link', options)) definitions.set(definition.identifier, definition);
    }
    for (const { node } of documentNodes(tree)) {
      if ((node.type === 'image' || node.type === 'link') && !state.handled.has(node)) rewriteReference(node);
      else if ((node.type === 'linkReference' || node.type === 'imageReference') && definitions.has(node.identifier) && !state.handled.has(node)) {
        const definition = definitions.get(node.identifier)!;
        state.handled.add(node);
        rewriteReference(node.type === 'imageReference'
          ? { type: 'image', url: definition.url, alt: node.alt, title: definition.title, position: node.position }
          : { type: 'link', url: definition.url, title: definition.title, children: node.children, position: node.position });
      }
    }
    for (const definition of definitions.values()) {
      // The links plugin leaves a handled definition alone.
      state.handled.add(definition);
      const s = span(definition);
      if (s) state.edits.push({ start: s.start, end: source[s.end] === '\n' ? s.end + 1 : s.end, replace: '' });
    }

    function rewriteReference(node: Image | Link): void {
      const ref = attachmentRef(node.url, node.type === 'image' ? 'image' : 'link', options);
      if (!ref) return;
      state.handled.add(node);
      // A file of a page that is not published is never served, whatever the resolver has.
      const hidden = ownerUnpublished(ref, options);
      const found: ReturnType<RewriteContext['attachment']> = hidden ? { missing: true } : options.attachment(ref);
      if (!('missing' in found)) {
        if (node.type === 'image' && !found.isImage) {
          // Shown as an image, a file that is none would be a broken image (or fail the build).
          state.warnings.push(notAnImageWarning(options.page, ref));
          state.edits.push(replaceByLink(node, node.alt || ref.fileName, found.url));
        } else {
          state.edits.push(...retarget(source, node, found.url));
        }
        return;
      }
      const confluenceUrl = options.missingFiles === 'confluence' ? found.confluenceUrl : undefined;
      state.warnings.push(missingAttachmentWarning(options.page, ref, { ...found, confluenceUrl }, hidden));
      const words = node.type === 'image' ? node.alt ?? '' : toString(node);
      if (hidden) {
        // A URL as the text would show the id of a page that is not published.
        const text = node.type === 'image' ? words || UNPUBLISHED_LINK_TEXT : words;
        if (textRevealsTarget(text, node.url, ref.pageId, options)) state.edits.push(replaceByText(source, node, UNPUBLISHED_LINK_TEXT));
        else state.edits.push(...(node.type === 'link' ? unwrap(source, node) : [replaceByText(source, node, text)]));
      } else if (confluenceUrl) {
        state.edits.push(...(node.type === 'link' ? retarget(source, node, confluenceUrl) : [replaceByLink(node, words || ref.fileName, confluenceUrl)]));
      } else {
        // Words that only repeat the file's name or URL add nothing to the placeholder.
        const telling = words.trim() !== '' && words.trim() !== ref.fileName && !textRevealsTarget(words, node.url, ref.pageId, options);
        const note = placeholderMarkdown('missing-file', missingFileText(ref.fileName, node.type === 'image' && telling ? words : undefined));
        if (node.type === 'link' && telling && labelEnd(source, node) !== undefined) state.edits.push(...unwrap(source, node, ` ${note}`));
        else state.edits.push(replaceByHtml(source, node, note));
      }
    }
  };
};

/** Whether the attachment belongs to another page that is not published. */
export function ownerUnpublished(ref: AttachmentRef, options: Pick<RewriteContext, 'page' | 'pageById'>): boolean {
  return ref.pageId !== undefined && ref.pageId !== options.page.id && typeof options.pageById(ref.pageId) === 'string';
}

/** The warning for an image whose file is no image a browser can show: it is linked instead. */
export function notAnImageWarning(page: RewriteContext['page'], ref: AttachmentRef): string {
  return `Page ${page.id}: attachment "${ref.fileName}" is shown as an image but its content is not one (PNG, JPEG, GIF, WebP, AVIF, TIFF, BMP, ICO or SVG); linking to the file instead.`;
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
  const instead = found.confluenceUrl ? '; linking to it in Confluence instead.' : '; shown as a placeholder.';
  if (found.withheld) {
    return `Page ${page.id}: attachment "${ref.fileName}" is a document a browser would run (HTML, XML, script) and is not published${instead} Set publishActiveAttachments: true to publish such files.`;
  }
  return `Page "${page.title}" (${page.id}): attachment "${ref.fileName}" is not in the export${instead}`;
}
