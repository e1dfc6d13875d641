/**
 * Plugin: links to Confluence pages become links inside the site. Every URL form Confluence
 * writes is recognised (see confluence-urls.ts); anchors are mapped to Starlight's heading ids;
 * links to pages that are not published follow `unpublishedLinks` and are reported. Links to
 * other spaces and other sites are left exactly as written.
 */
import { fromHtml } from 'hast-util-from-html';
import type { Nodes as HastNodes } from 'hast';
import { toString } from 'mdast-util-to-string';
import type { Definition, Link, Root } from 'mdast';
import type { Plugin } from 'unified';
import { decodeSegment } from './confluence-urls.ts';
import { matchAnchor } from './anchors.ts';
import { siteUrl, type RewriteContext } from './context.ts';
import { formatDestination, formatTitle, labelEnd, replaceByLink, replaceByText, retarget, unwrap } from './markdown-syntax.ts';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';
import { confluenceLinkToKeep, resolvePageLink, textRevealsTarget, UNPUBLISHED_LINK_TEXT } from './targets.ts';
import { documentNodes, nodesOfType } from './walk.ts';

/** Options: the parts of the {@link RewriteContext} that links depend on. */
export type ConfluenceLinksOptions = Pick<
  RewriteContext,
  'page' | 'base' | 'siteHosts' | 'cloudId' | 'spaceKey' | 'pageById' | 'pageByTitle' | 'unpublishedLinks'
>;

export const remarkConfluenceLinks: Plugin<[ConfluenceLinksOptions], Root> = function (options) {
  return (tree, file) => {
    const source = String(file.value);
    const state = rewriteState(file);
    const unwrappedDefinitions = new Map<string, { url: string; pageId?: string }>();
    let ids: Set<string> | undefined;
    /**
     * The page's targets that are not headings, as it will render: Starlight's `_top` (its title),
     * the `id`s and `<a name>`s of its raw HTML, and its footnotes' ids. A link to one of these is
     * right as written.
     */
    const otherIds = () => (ids ??= targetIds(tree));

    for (const { node } of documentNodes(tree)) {
      if (node.type === 'link' && !state.handled.has(node)) rewriteLink(node);
      if (node.type === 'definition' && !state.handled.has(node)) rewriteDefinition(node);
    }
    if (unwrappedDefinitions.size > 0) {
      for (const node of nodesOfType(tree, 'linkReference')) {
        const definition = unwrappedDefinitions.get(node.identifier);
        if (!definition) continue;
        if (textRevealsTarget(toString(node), definition.url, definition.pageId, options)) state.edits.push(replaceByText(source, node, UNPUBLISHED_LINK_TEXT));
        else state.edits.push(...unwrap(source, node));
      }
    }

    function rewriteLink(node: Link): void {
      if (node.url.startsWith('#')) return rewriteSamePageAnchor(node);
      const resolution = resolvePageLink(node.url, options, state.warnings);
      if (resolution.kind === 'leave') {
        const absolute = confluenceLinkToKeep(node.url, options);
        if (absolute) state.edits.push(...retarget(source, node, absolute));
        return;
      }
      state.handled.add(node);
      const text = toString(node);
      if (resolution.kind === 'unpublished') {
        state.unresolved.push({ fromPageId: options.page.id, url: node.url, text, reason: resolution.reason });
        if (options.unpublishedLinks === 'confluence' && resolution.confluenceUrl) {
          state.edits.push(...retarget(source, node, resolution.confluenceUrl));
        } else if (labelEnd(source, node) === undefined || textRevealsTarget(text, node.url, resolution.pageId, options)) {
          // An autolink, a bare URL or a label that is the URL would show the page's id and title.
          state.edits.push(replaceByText(source, node, UNPUBLISHED_LINK_TEXT));
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
      if (anchor === '' || state.headingIds.includes(anchor) || otherIds().has(decodeSegment(anchor))) return;
      const id = matchAnchor(anchor, state.headingIds, options.page.title);
      if (id === undefined) {
        state.warnings.push(`Page "${options.page.title}" (${options.page.id}): no heading matches the anchor "#${decodeSegment(anchor)}"; the link points at the page instead.`);
      }
      state.handled.add(node);
      state.edits.push(...retarget(source, node, id === undefined ? siteUrl(options.base, options.page.path) : `#${id}`));
    }

    function rewriteDefinition(node: Definition): void {
      const resolution = resolvePageLink(node.url, options, state.warnings);
      const s = span(node)!;
      if (resolution.kind === 'leave') {
        const absolute = confluenceLinkToKeep(node.url, options);
        if (absolute) state.edits.push({ start: s.start, end: s.end, replace: `[${node.label ?? node.identifier}]: ${formatDestination(absolute)}${formatTitle(node.title)}` });
        return;
      }
      state.handled.add(node);
      const label = node.label ?? node.identifier;
      if (resolution.kind === 'unpublished') {
        state.unresolved.push({ fromPageId: options.page.id, url: node.url, text: label, reason: resolution.reason });
        if (options.unpublishedLinks !== 'confluence' || !resolution.confluenceUrl) {
          unwrappedDefinitions.set(node.identifier, { url: node.url, pageId: resolution.pageId });
          state.edits.push({ start: s.start, end: s.end, replace: '' });
          return;
        }
      }
      const url = resolution.kind === 'published' ? siteUrl(options.base, resolution.ref.path, resolution.anchor) : resolution.confluenceUrl!;
      state.edits.push({ start: s.start, end: s.end, replace: `[${label}]: ${formatDestination(url)}${formatTitle(node.title)}` });
    }
  };
};

/** Whether a link's text is its own URL (then the text becomes the target page's title). */
function isUrlText(text: string, url: string): boolean {
  const t = text.trim();
  return t === url || t === decodeSegment(url) || t.replace(/\/$/, '') === url.replace(/\/$/, '');
}

/** Ids the rendered page has besides its headings (see `otherIds` above). */
function targetIds(tree: Root): Set<string> {
  const ids = new Set(['_top']);
  for (const { node } of documentNodes(tree)) {
    if (node.type === 'footnoteDefinition' || node.type === 'footnoteReference') {
      const label = (node.label ?? node.identifier).toLowerCase();
      ids.add(`user-content-fn-${label}`);
      ids.add(`user-content-fnref-${label}`);
    } else if (node.type === 'html' && /\b(?:id|name)\s*=/i.test(node.value)) {
      const stack: HastNodes[] = [fromHtml(node.value, { fragment: true })];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (next.type === 'element') {
          for (const key of ['id', 'name'] as const) if (typeof next.properties[key] === 'string') ids.add(next.properties[key] as string);
        }
        if ('children' in next) stack.push(...(next.children as HastNodes[]));
      }
    }
  }
  return ids;
}
