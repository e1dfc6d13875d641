/**
 * What a URL in a page points at, whatever syntax carries it (a Markdown link or image, raw HTML
 * in the Markdown, the rendered HTML): a published page (with the heading an anchor names), a page
 * that is not published, an attachment, or something that is not ours. The Markdown plugins and
 * the HTML passes all decide through these functions, so every syntax gets the same answer.
 */
import type { PublishedPageRef, UnpublishedReason } from '../types.ts';
import { matchAnchor } from './anchors.ts';
import { confluencePageUrl, decodeSegment, parseConfluenceUrl, type ConfluenceTarget } from './confluence-urls.ts';
import type { RewriteContext } from './context.ts';

/** The parts of the {@link RewriteContext} that page links depend on. */
export type PageLinkOptions = Pick<RewriteContext, 'page' | 'siteHosts' | 'cloudId' | 'spaceKey' | 'pageById' | 'pageByTitle'>;

export type PageLink =
  | { kind: 'published'; ref: PublishedPageRef; anchor?: string }
  /** `pageId` when the URL names the page by id (logs may show it; never its title). */
  | { kind: 'unpublished'; reason: UnpublishedReason; confluenceUrl?: string; pageId?: string }
  | { kind: 'leave' };

/**
 * How a link to `url` resolves. Links to other spaces and other sites, attachments, and URLs that
 * are no Confluence page are left alone. A warning is added when an anchor matches no heading.
 */
export function resolvePageLink(url: string, options: PageLinkOptions, warnings: string[]): PageLink {
  const target = parseConfluenceUrl(url, options);
  if (!target || target.kind === 'attachment') return { kind: 'leave' };
  if (target.kind === 'page-title') return fromLookup(options.pageByTitle(target.spaceKey, decodeSegment(target.title)), target, url, options, warnings);
  if (target.kind === 'blog') {
    if (isOtherSpace(target.spaceKey, options)) return { kind: 'leave' };
    const found = target.pageId ? options.pageById(target.pageId) : 'outside-export';
    // Blog posts are not part of a page-tree export: an unknown one lies outside it.
    return fromLookup(found === 'not-found' ? 'outside-export' : found, target, url, options, warnings);
  }
  const found = options.pageById(target.pageId);
  if (found === 'not-found' && target.spaceKey && isOtherSpace(target.spaceKey, options)) return { kind: 'leave' };
  return fromLookup(found, target, url, options, warnings);
}

function fromLookup(
  found: PublishedPageRef | UnpublishedReason | undefined,
  target: Exclude<ConfluenceTarget, { kind: 'attachment' }>,
  url: string,
  options: PageLinkOptions,
  warnings: string[],
): PageLink {
  if (found === undefined) return { kind: 'leave' };
  if (typeof found === 'string') {
    const pageId = 'pageId' in target ? target.pageId : undefined;
    // The link into Confluence names the page by id only: the URL as written may carry its title
    // (`/pages/ID/Title`, `/display/KEY/Title`), which an unpublished page must not show. A link
    // that names the page by title alone gets no Confluence link, only its words.
    const written = pageId ? confluencePageUrl(url, options) : undefined;
    const confluenceUrl = written && pageId ? `${new URL(written).origin}/wiki/pages/viewpage.action?pageId=${encodeURIComponent(pageId)}` : undefined;
    return { kind: 'unpublished', reason: found, ...(confluenceUrl ? { confluenceUrl } : {}), ...(pageId ? { pageId } : {}) };
  }
  if (!target.anchor) return { kind: 'published', ref: found };
  if (!found.headingIds) return { kind: 'published', ref: found, anchor: target.anchor };
  const anchor = matchAnchor(target.anchor, found.headingIds, found.title);
  if (anchor === undefined) {
    warnings.push(`Page "${options.page.title}" (${options.page.id}): page "${found.title}" has no heading matching the anchor "#${decodeSegment(target.anchor)}"; the link points at the page instead.`);
  }
  return { kind: 'published', ref: found, anchor };
}

function isOtherSpace(spaceKey: string, options: PageLinkOptions): boolean {
  return options.spaceKey !== undefined && spaceKey.toLowerCase() !== options.spaceKey.toLowerCase();
}

/**
 * A link into Confluence that stays (another space, a profile, a search) keeps pointing there;
 * written host-relative (`/wiki/...`) it would point into the site instead, so it is made
 * absolute on the Confluence site. Undefined when the URL needs no change.
 */
export function confluenceLinkToKeep(url: string, options: Pick<RewriteContext, 'siteHosts' | 'cloudId'>): string | undefined {
  if (!url.startsWith('/') || url.startsWith('//')) return undefined;
  if (!/^\/wiki(?:[/?#]|$)/i.test(url) && !parseConfluenceUrl(url, options)) return undefined;
  return confluencePageUrl(url, options);
}

export type AttachmentRef = Parameters<RewriteContext['attachment']>[0];

/** A URL with a scheme (`https:`, `mailto:`) or protocol-relative: never a relative attachment path. */
export const ABSOLUTE_URL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** The part every Confluence attachment URL has (`/download/attachments/…`, `/download/thumbnails/…`). */
const DOWNLOAD_PATH = /\/download\/(?:attachments|thumbnails)\//i;

/**
 * The attachment `url` names, or undefined: relative paths (`attachments/x.png`) belong to this
 * page, Confluence download and thumbnail URLs to the page whose id they carry. A relative link
 * that does not go through an `attachments/` folder (a `.md` file) is not an attachment; a
 * relative image always is.
 */
export function attachmentRef(url: string, usage: AttachmentRef['usage'], options: Pick<RewriteContext, 'siteHosts' | 'cloudId'>): AttachmentRef | undefined {
  if (url === '' || url.startsWith('#')) return undefined;
  if (url.startsWith('/') || ABSOLUTE_URL.test(url)) {
    const target = DOWNLOAD_PATH.test(url) ? parseConfluenceUrl(url, options) : undefined;
    return target?.kind === 'attachment' ? { pageId: target.pageId, fileName: target.fileName, usage } : undefined;
  }
  const relative = relativeAttachment(url, usage);
  return relative && { ...relative, usage };
}

/**
 * The attachment a relative URL names (the caller has ruled out absolute and host-relative ones):
 * a link through an `attachments/` folder, or any relative image. Shared with references.ts, which
 * decides from the archive alone which files a page references.
 */
export function relativeAttachment(url: string, usage: AttachmentRef['usage']): { fileName: string; relativePath: string } | undefined {
  const path = decodeSegment(url.replace(/[?#].*$/, ''));
  const segments = path.split('/');
  if (usage === 'link' && !segments.includes('attachments')) return undefined;
  const fileName = segments.at(-1);
  return fileName ? { fileName, relativePath: path } : undefined;
}

/** What stands in for a link's text when that text would show the URL (the id, the title) of a page or file that is not published. */
export const UNPUBLISHED_LINK_TEXT = '(not published)';

/**
 * Whether a link's text shows its target rather than describing it: the URL itself (as written,
 * decoded, or without a trailing slash), another URL into Confluence, or text holding the
 * unpublished page's id. Such text must not stay when the target is not published.
 */
export function textRevealsTarget(text: string, url: string, pageId: string | undefined, options: Pick<RewriteContext, 'siteHosts' | 'cloudId'>): boolean {
  const t = text.trim();
  if (t === url || t === decodeSegment(url) || t.replace(/\/$/, '') === url.replace(/\/$/, '')) return true;
  if (pageId !== undefined && t.includes(pageId)) return true;
  return /^(?:https?:)?\/\//i.test(t) && parseConfluenceUrl(t, options) !== undefined;
}
