/**
 * Plugin: links to Confluence pages become links inside the site. Every URL form Confluence
 * writes is recognised (see confluence-urls.ts); anchors are mapped to Starlight's heading ids;
 * links to pages that are not published follow `unpublishedLinks` and are reported. Links to
 * other spaces and other sites are left exactly as written.
 */
import { toString } from 'mdast-util-to-string';
import type { Definition, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import type { PublishedPageRef, UnpublishedReason } from '../types.ts';
import { confluencePageUrl, decodeSegment, parseConfluenceUrl, type ConfluenceTarget } from './confluence-urls.ts';
import { matchAnchor } from './anchors.ts';
import { siteUrl, type RewriteContext } from './context.ts';
import { formatDestination, formatTitle, labelEnd, replaceByLink, retarget, unwrap } from './markdown-syntax.ts';
import { span } from './splice.ts';
import { rewriteState, type RewriteState } from './state.ts';
import { documentNodes, nodesOfType } from './walk.ts';

/** Options: the parts of the {@link RewriteContext} that links depend on. */
export type ConfluenceLinksOptions = Pick<
  RewriteContext,
  'page' | 'base' | 'siteHosts' | 'cloudId' | 'spaceKey' | 'pageById' | 'pageByTitle' | 'unpublishedLinks'
>;

type Resolution =
  | { kind: 'published'; ref: PublishedPageRef; anchor?: string }
  | { kind: 'unpublished'; reason: UnpublishedReason; confluenceUrl?: string }
  | { kind: 'leave' };

export const remarkConfluenceLinks: Plugin<[ConfluenceLinksOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    const unwrappedDefinitions = new Set<string>();

    for (const { node } of documentNodes(tree)) {
      if (node.type === 'link' && !state.handled.has(node)) rewriteLink(node);
      if (node.type === 'definition' && !state.handled.has(node)) rewriteDefinition(node);
    }
    if (unwrappedDefinitions.size > 0) {
      for (const node of nodesOfType(tree, 'linkReference')) {
        if (unwrappedDefinitions.has(node.identifier)) state.edits.push(...unwrap(source, node));
      }
    }

    function rewriteLink(node: Link): void {
      if (node.url.startsWith('#')) return rewriteSamePageAnchor(node);
      const resolution = resolve(node.url, state);
      if (resolution.kind === 'leave') {
        const absolute = confluenceLinkToKeep(node.url);
        if (absolute) state.edits.push(...retarget(source, node, absolute));
        return;
      }
      state.handled.add(node);
      const text = toString(node);
      if (resolution.kind === 'unpublished') {
        state.unresolved.push({ fromPageId: options.page.id, url: node.url, text, reason: resolution.reason });
        if (options.unpublishedLinks === 'confluence' && resolution.confluenceUrl) {
          state.edits.push(...retarget(source, node, resolution.confluenceUrl));
        } else {
          state.edits.push(...unwrap(source, node));
        }
        return;
      }
      const url = siteUrl(options.base, resolution.ref.path, resolution.anchor);
      if (isUrlText(text, node.url) || labelEnd(source, node) === undefined) {
        state.edits.push(replaceByLink(node, resolution.ref.title, url));
      } else {
        state.edits.push(...retarget(source, node, url));
      }
    }

    function rewriteSamePageAnchor(node: Link): void {
      const anchor = node.url.slice(1);
      if (anchor === '' || state.headingIds.includes(anchor)) return;
      const id = matchAnchor(anchor, state.headingIds, options.page.title);
      if (id === undefined) {
        state.warnings.push(`Page "${options.page.title}" (${options.page.id}): no heading matches the anchor "#${decodeSegment(anchor)}"; the link points at the page instead.`);
      }
      state.handled.add(node);
      state.edits.push(...retarget(source, node, id === undefined ? siteUrl(options.base, options.page.path) : `#${id}`));
    }

    function rewriteDefinition(node: Definition): void {
      const resolution = resolve(node.url, state);
      const s = span(node)!;
      if (resolution.kind === 'leave') {
        const absolute = confluenceLinkToKeep(node.url);
        if (absolute) state.edits.push({ start: s.start, end: s.end, replace: `[${node.label ?? node.identifier}]: ${formatDestination(absolute)}${formatTitle(node.title)}` });
        return;
      }
      state.handled.add(node);
      const label = node.label ?? node.identifier;
      if (resolution.kind === 'unpublished') {
        state.unresolved.push({ fromPageId: options.page.id, url: node.url, text: label, reason: resolution.reason });
        if (options.unpublishedLinks !== 'confluence' || !resolution.confluenceUrl) {
          unwrappedDefinitions.add(node.identifier);
          state.edits.push({ start: s.start, end: s.end, replace: '' });
          return;
        }
      }
      const url = resolution.kind === 'published' ? siteUrl(options.base, resolution.ref.path, resolution.anchor) : resolution.confluenceUrl!;
      state.edits.push({ start: s.start, end: s.end, replace: `[${label}]: ${formatDestination(url)}${formatTitle(node.title)}` });
    }
  };

  /**
   * A link into Confluence that stays (another space, a profile, a search) keeps pointing there;
   * written host-relative (`/wiki/...`) it would point into the site instead, so it is made
   * absolute on the Confluence site. Undefined when the URL needs no change.
   */
  function confluenceLinkToKeep(url: string): string | undefined {
    if (!url.startsWith('/') || url.startsWith('//')) return undefined;
    if (!/^\/wiki(?:[/?#]|$)/i.test(url) && !parseConfluenceUrl(url, options)) return undefined;
    return confluencePageUrl(url, options);
  }

  function resolve(url: string, state: RewriteState): Resolution {
    const target = parseConfluenceUrl(url, options);
    if (!target || target.kind === 'attachment') return { kind: 'leave' };
    if (target.kind === 'page-title') return fromLookup(options.pageByTitle(target.spaceKey, decodeSegment(target.title)), target, url, state);
    if (target.kind === 'blog') {
      if (isOtherSpace(target.spaceKey)) return { kind: 'leave' };
      const found = target.pageId ? options.pageById(target.pageId) : 'outside-export';
      // Blog posts are not part of a page-tree export: an unknown one lies outside it.
      return fromLookup(found === 'not-found' ? 'outside-export' : found, target, url, state);
    }
    const found = options.pageById(target.pageId);
    if (found === 'not-found' && target.spaceKey && isOtherSpace(target.spaceKey)) return { kind: 'leave' };
    return fromLookup(found, target, url, state);
  }

  function fromLookup(found: PublishedPageRef | UnpublishedReason | undefined, target: Exclude<ConfluenceTarget, { kind: 'attachment' }>, url: string, state: RewriteState): Resolution {
    if (found === undefined) return { kind: 'leave' };
    if (typeof found === 'string') return { kind: 'unpublished', reason: found, confluenceUrl: confluencePageUrl(url, options) };
    if (!target.anchor) return { kind: 'published', ref: found };
    if (!found.headingIds) return { kind: 'published', ref: found, anchor: target.anchor };
    const anchor = matchAnchor(target.anchor, found.headingIds, found.title);
    if (anchor === undefined) {
      state.warnings.push(`Page "${options.page.title}" (${options.page.id}): page "${found.title}" has no heading matching the anchor "#${decodeSegment(target.anchor)}"; the link points at the page instead.`);
    }
    return { kind: 'published', ref: found, anchor };
  }

  function isOtherSpace(spaceKey: string): boolean {
    return options.spaceKey !== undefined && spaceKey.toLowerCase() !== options.spaceKey.toLowerCase();
  }

};

/** Whether a link's text is its own URL (then the text becomes the target page's title). */
function isUrlText(text: string, url: string): boolean {
  const t = text.trim();
  return t === url || t === decodeSegment(url) || t.replace(/\/$/, '') === url.replace(/\/$/, '');
}
