/**
 * Plugin: images and links that reference attachments are pointed at the site's copy. Relative
 * references (`attachments/x.png`, `./attachments/My%20File.pdf`) resolve against this page;
 * Confluence download and thumbnail URLs carry the owning page's id. Raw HTML (`<img src>`,
 * `<a href>`) is handled too. An attachment the export left out never becomes a broken image:
 * it turns into a link to Confluence, or its alt text.
 */
import type { Html, Image, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import { decodeSegment, parseConfluenceUrl } from './confluence-urls.ts';
import type { RewriteContext } from './context.ts';
import { ATTRIBUTE, TAG } from './html-safety.ts';
import { escapeText, replaceByLink, retarget, unwrap } from './markdown-syntax.ts';
import { span } from './splice.ts';
import { rewriteState, type RewriteState } from './state.ts';
import { documentNodes } from './walk.ts';

/** Options: the parts of the {@link RewriteContext} that attachments depend on. */
export type ConfluenceAttachmentsOptions = Pick<RewriteContext, 'page' | 'siteHosts' | 'cloudId' | 'attachment'>;

type AttachmentRef = Parameters<RewriteContext['attachment']>[0];

/** A URL with a scheme (`https:`, `mailto:`) or protocol-relative: never a relative attachment path. */
const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** The part every Confluence attachment URL has (`/download/attachments/…`, `/download/thumbnails/…`). */
const DOWNLOAD_PATH = /\/download\/(?:attachments|thumbnails)\//i;

/** Tags whose `src` or `href` may name an attachment in raw HTML. */
const HTML_URL_ATTRIBUTE: Readonly<Record<string, string>> = { img: 'src', a: 'href', source: 'src', video: 'src', audio: 'src' };

export const remarkConfluenceAttachments: Plugin<[ConfluenceAttachmentsOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    for (const { node } of documentNodes(tree)) {
      if (node.type === 'html') rewriteHtml(node, state);
      else if ((node.type === 'image' || node.type === 'link') && !state.handled.has(node)) rewriteReference(node);
    }

    function rewriteReference(node: Image | Link): void {
      const ref = attachmentRef(node.url, node.type === 'image' ? 'image' : 'link');
      if (!ref) return;
      state.handled.add(node);
      const found = options.attachment(ref);
      if (!('missing' in found)) {
        state.edits.push(...retarget(source, node, found.url));
        return;
      }
      warnMissing(state, ref, found.confluenceUrl);
      if (node.type === 'link') {
        state.edits.push(...(found.confluenceUrl ? retarget(source, node, found.confluenceUrl) : unwrap(source, node)));
        return;
      }
      const text = node.alt || ref.fileName;
      const s = span(node)!;
      state.edits.push(found.confluenceUrl ? replaceByLink(node, text, found.confluenceUrl) : { start: s.start, end: s.end, replace: escapeText(text) });
    }

    function rewriteHtml(node: Html, state: RewriteState): void {
      const s = span(node);
      if (!s || state.handled.has(node) || !/\b(?:src|href)\s*=/i.test(node.value)) return;
      const text = source.slice(s.start, s.end);
      if (rewriteHtmlTags(text, () => undefined) === text) return;
      // Nested inside the HTML safety edit of the same span, which then filters the result.
      state.edits.push({ start: s.start, end: s.end, replace: (inner) => rewriteHtmlTags(inner, (ref, found) => warnMissing(state, ref, found)) });
    }
  };

  /**
   * `html` with attachment URLs in `src`/`href` pointed at the site's copy. Raw HTML bypasses
   * Astro's image pipeline, so every attachment, image or not, gets a served URL (usage 'link').
   * A missing image becomes a link to Confluence (or its alt text), never a broken `<img>`.
   */
  function rewriteHtmlTags(html: string, onMissing: (ref: AttachmentRef, confluenceUrl: string | undefined) => void): string {
    return html.replace(TAG, (tag, close: string, rawName: string, attributes: string, selfClose: string) => {
      const name = rawName.toLowerCase();
      const urlAttribute = HTML_URL_ATTRIBUTE[name];
      if (close || !urlAttribute) return tag;
      let changed = false;
      let missing: { text: string; confluenceUrl?: string } | undefined;
      const kept = [...attributes.matchAll(ATTRIBUTE)].map(([attribute, attrName, dq, sq, bare]) => {
        if (attrName!.toLowerCase() !== urlAttribute) return attribute;
        const url = decodeHtmlUrl(dq ?? sq ?? bare ?? '');
        const ref = attachmentRef(url, name === 'a' ? 'link' : 'image');
        if (!ref) return attribute;
        changed = true;
        const found = options.attachment({ ...ref, usage: 'link' });
        if (!('missing' in found)) return `${attrName}="${encodeHtmlUrl(found.url)}"`;
        onMissing(ref, found.confluenceUrl);
        if (name === 'img') {
          const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attributes);
          missing = { text: alt?.[1] || alt?.[2] || escapeHtmlText(ref.fileName), confluenceUrl: found.confluenceUrl };
        }
        return found.confluenceUrl ? `${attrName}="${encodeHtmlUrl(found.confluenceUrl)}"` : '';
      });
      if (!changed) return tag;
      if (missing) return missing.confluenceUrl ? `<a href="${encodeHtmlUrl(missing.confluenceUrl)}">${missing.text}</a>` : missing.text;
      return `<${rawName}${kept.filter(Boolean).map((a) => ` ${a}`).join('')}${selfClose ? ' /' : ''}>`;
    });
  }

  function warnMissing(state: RewriteState, ref: AttachmentRef, confluenceUrl: string | undefined): void {
    state.warnings.push(
      `Page "${options.page.title}" (${options.page.id}): attachment "${ref.fileName}" is not in the export` +
        (confluenceUrl ? '; linking to it in Confluence instead.' : '; only its name is shown.'),
    );
  }

  function attachmentRef(url: string, usage: AttachmentRef['usage']): AttachmentRef | undefined {
    if (url === '' || url.startsWith('#')) return undefined;
    if (url.startsWith('/') || ABSOLUTE.test(url)) {
      // Only download and thumbnail URLs name an attachment; the links plugin parses the rest.
      const target = DOWNLOAD_PATH.test(url) ? parseConfluenceUrl(url, options) : undefined;
      return target?.kind === 'attachment' ? { pageId: target.pageId, fileName: target.fileName, usage } : undefined;
    }
    const path = decodeSegment(url.replace(/[?#].*$/, ''));
    const segments = path.split('/');
    // Links to relative paths other than attachments (e.g. a `.md` file) are not ours; images always are.
    if (usage === 'link' && !segments.includes('attachments')) return undefined;
    return { fileName: segments.at(-1)!, relativePath: path, usage };
  }
};

function decodeHtmlUrl(value: string): string {
  return value.replace(/&amp;/gi, '&').replace(/&quot;/gi, '"').replace(/&#39;/g, "'");
}

function encodeHtmlUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/"/g, '%22').replace(/ /g, '%20');
}

function escapeHtmlText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}
