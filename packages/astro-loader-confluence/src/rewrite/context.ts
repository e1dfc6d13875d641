/** What the rewrite knows about the page being rewritten and about the rest of the site. */
import type { PublishedPageRef, UnpublishedReason } from '../types.ts';

export interface RewriteContext {
  /** The page being rewritten. */
  page: { id: string; title: string; path: string };
  /** Astro `base` ('/' or '/docs/'); links are `${base}${path}/`, the home page (`''`) is `base` itself. */
  base: string;
  /** Host(s) of the Confluence site, e.g. ['acme.atlassian.net'], to recognise absolute links. Gateway links (api.atlassian.com/ex/confluence/{cloudId}) are recognised too. */
  siteHosts: string[];
  cloudId?: string;
  spaceKey?: string;
  /** Resolve a page by id → the published ref, or why it is not published. */
  pageById(id: string): PublishedPageRef | UnpublishedReason;
  /** Resolve by space key + title; undefined spaceKey = this space. Undefined when the key is another space (the link is left alone). */
  pageByTitle(spaceKey: string | undefined, title: string): PublishedPageRef | UnpublishedReason | undefined;
  /**
   * Resolve an attachment reference: `pageId` for /download/attachments/{pageId}/{file} URLs, else
   * relative to this page (`relativePath` as written, decoded). `usage` says whether an image shows
   * it (it may then go through Astro's image pipeline) or a link points at it (it needs a URL).
   * `isImage`: a browser can show the file as an image (an SVG, or bytes of a raster format,
   * whatever its name says); an image reference to any other file becomes a link to it.
   * `withheld`: the file exists but is an active document the site does not publish.
   */
  attachment(ref: { pageId?: string; fileName: string; relativePath?: string; usage: 'image' | 'link' }): { url: string; isImage: boolean } | { missing: true; confluenceUrl?: string; withheld?: true };
  /** Links to unpublished pages: 'text' (default: keep the text, drop the link) or 'confluence' (link to the page in Confluence). */
  unpublishedLinks: 'text' | 'confluence';
  /**
   * A file the site does not have (`attachment` answers `missing`): a placeholder naming it
   * ('placeholder', default), or a link to it in Confluence where the resolver knows one
   * ('confluence', for sites whose readers can log in). A file of an unpublished page is never named.
   */
  missingFiles?: 'placeholder' | 'confluence';
  /** Macros the exporter could not convert (unknown-macros.ts): a short note ('note', default) or nothing ('remove'). */
  unknownMacros?: 'note' | 'remove';
  /** How panels are written: Starlight asides (default) or GFM alerts (alerts.ts). */
  alerts?: 'starlight' | 'gfm';
}

/** The site URL of a page: `${base}${path}/`, the home page being `base`, plus `#anchor`. */
export function siteUrl(base: string, path: string, anchor?: string): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  return `${root}${path === '' ? '' : `${path}/`}${anchor ? `#${anchor}` : ''}`;
}
