/**
 * One HTML tree made safe for the site: parsed as the browser parses it (parse5, inside a `<div>`,
 * as the page content sits in Starlight's layout), its URLs resolved like every other link of the
 * page (targets.ts), then sanitised against the one schema (html-schema.ts). Used by the pass over
 * each page's rendered HTML (rendered-html.ts) and, for `confluence-export export`, over each raw
 * HTML node of the Markdown (markdown-html.ts).
 *
 * The walks written here are iterative. The parser's and sanitiser's own recursion is bounded by
 * the stack: HTML nested some thousands of levels deep throws, and the loader then stops the build
 * naming the page, rather than publish what it could not check.
 */
import type { Element, ElementContent, Parents, Properties, Root, Text } from 'hast';
import { fromParse5 } from 'hast-util-from-parse5';
import { sanitize } from 'hast-util-sanitize';
import { defaultTreeAdapter, html as parse5Html, parseFragment } from 'parse5';
import { VFile } from 'vfile';
import type { UnresolvedLink } from '../types.ts';
import { missingAttachmentWarning, notAnImageWarning, ownerUnpublished } from './attachments.ts';
import { decodeSegment } from './confluence-urls.ts';
import { siteUrl, type RewriteContext } from './context.ts';
import { allowedUrl, expressiveCodeAsset, IMAGE_MARKER, PAGE_SCHEMA, safeStyle, URL_ATTRIBUTES } from './html-schema.ts';
import { missingFileText, placeholderElement, unknownMacroText } from './placeholders.ts';
import { attachmentRef, confluenceLinkToKeep, resolvePageLink, textRevealsTarget, UNPUBLISHED_LINK_TEXT, type PageLink } from './targets.ts';
import { unknownMacroName, unknownMacrosWarning } from './unknown-macros.ts';

/** What the HTML passes know about the page and the site: the rewrite's context, plus where the build's assets are. */
export interface HtmlContext extends Pick<RewriteContext, 'page' | 'base' | 'siteHosts' | 'cloudId' | 'spaceKey' | 'pageById' | 'pageByTitle' | 'attachment' | 'unpublishedLinks' | 'missingFiles' | 'unknownMacros'> {
  /** The URL prefix of the build's assets (`{base}_astro/`): only there may Expressive Code's stylesheet and script be. */
  assetsBase?: string;
}

export interface HtmlReport {
  unresolved: UnresolvedLink[];
  warnings: string[];
  /**
   * Every URL that was looked up, with how it resolved: the HTML of an unchanged page must be made
   * again when one of these answers changes (another page was unpublished, moved, lost a file).
   */
  lookups: Lookup[];
}

/** One URL looked up in a page's HTML: what kind of target, the URL, and what it resolved to. */
export type Lookup = [kind: 'attachment' | 'media' | 'page' | 'macro', url: string, outcome: string];

const CONTEXT = defaultTreeAdapter.createElement('div', parse5Html.NS.HTML, []);

/**
 * Parses HTML as the content of a `<div>` in a page's body; `positions` keeps source offsets
 * (markdown-html.ts needs them), `onError` hears the parser's error codes.
 */
export function parseHtml(html: string, positions = false, onError?: (code: string) => void): Root {
  const fragment = parseFragment(CONTEXT, html, { sourceCodeLocationInfo: positions, ...(onError ? { onParseError: (error) => onError(error.code) } : {}) });
  return fromParse5(fragment, positions ? { verbose: true, file: new VFile(html) } : {}) as Root;
}

/** Resolves and cleans `tree` (see the module comment): `tree` is prepared in place, the sanitised copy returned. */
export function prepareAndSanitize(tree: Root, ctx: HtmlContext, report: HtmlReport): { clean: Root } {
  const macros: string[] = [];
  prepare(tree, ctx, { ...report, macros });
  const warning = unknownMacrosWarning(ctx.page.id, macros, ctx.unknownMacros ?? 'note');
  if (warning) report.warnings.push(warning);
  return { clean: sanitize(tree, PAGE_SCHEMA) as Root };
}

/** While one tree is prepared: the report, and the names of the unknown macros met, for one warning. */
interface Findings extends HtmlReport {
  macros: string[];
}

/**
 * What becomes of an element: kept (and walked into), removed with its content, replaced by its
 * children (followed by `after`, walked too), or by other nodes.
 */
type Outcome = { kind: 'keep' } | { kind: 'remove' } | { kind: 'unwrap'; after?: ElementContent[] } | { kind: 'replace'; nodes: ElementContent[] };
const KEEP: Outcome = { kind: 'keep' };
const REMOVE: Outcome = { kind: 'remove' };
const UNWRAP: Outcome = { kind: 'unwrap' };
const replaceBy = (...nodes: ElementContent[]): Outcome => ({ kind: 'replace', nodes });

function prepare(tree: Root, ctx: HtmlContext, report: Findings): void {
  const stack: Parents[] = [tree];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    const children = parent.children as ElementContent[];
    const out: ElementContent[] = [];
    for (let i = 0; i < children.length; i++) {
      const node = children[i]!;
      if (node.type === 'text') {
        defangImageMarkerText(node);
        out.push(node);
        continue;
      }
      if (node.type !== 'element') {
        out.push(node);
        continue;
      }
      const outcome = prepareElement(node, parent, ctx, report);
      if (outcome.kind === 'keep') {
        out.push(node);
        stack.push(node);
        continue;
      }
      // An unwrapped element's children are walked as this parent's own.
      if (outcome.kind === 'unwrap') children.splice(i + 1, 0, ...node.children, ...(outcome.after ?? []).map((n) => positionedAfter(n, node)));
      else if (outcome.kind === 'replace') out.push(...outcome.nodes.map((n) => withPosition(n, node)));
    }
    parent.children = out;
  }
}

function prepareElement(element: Element, parent: Parents, ctx: HtmlContext, report: Findings): Outcome {
  const props = element.properties;
  // `<a name>` is an old way to write an anchor; as an `id` it stays a target of `#name` links
  // (the sanitiser prefixes `name`, which would break them).
  if (element.tagName === 'a' && typeof props.name === 'string' && props.id === undefined && props.href === undefined) {
    props.id = props.name;
    delete props.name;
  }
  // Starlight draws its aside and heading-anchor icons as inline SVG; a page's own SVG is not kept
  // (an SVG document is a script host of its own, and a drawing can be an attachment instead).
  if (element.tagName === 'svg') {
    const starlightIcon = hasClass(element, 'starlight-aside__icon') || (parent.type === 'element' && parent.tagName === 'span' && hasClass(parent, 'sl-anchor-icon'));
    if (!starlightIcon) return REMOVE;
  }
  if (element.tagName === 'script' || element.tagName === 'link') {
    const own =
      ctx.assetsBase !== undefined &&
      element.children.length === 0 &&
      (element.tagName === 'script'
        ? props.type === 'module' && expressiveCodeAsset('script', props.src, ctx.assetsBase)
        : sameList(props.rel, ['stylesheet']) && expressiveCodeAsset('link', props.href, ctx.assetsBase));
    return own ? KEEP : REMOVE;
  }
  filterStyle(props);
  if (element.tagName === 'img' && IMAGE_MARKER in props) {
    const marker = sanitizeImageMarker(props[IMAGE_MARKER]);
    if (marker === undefined) delete props[IMAGE_MARKER];
    else props[IMAGE_MARKER] = marker;
  }
  for (const name of Object.keys(props)) {
    if (!URL_ATTRIBUTES.has(name)) continue;
    const outcome = name === 'srcSet' ? prepareSrcSet(element, ctx, report) : prepareUrl(element, name, ctx, report);
    if (outcome.kind !== 'keep') return outcome;
  }
  return KEEP;
}

/** `style` with only its plain declarations (html-schema.ts). */
function filterStyle(props: Properties): void {
  if (typeof props.style !== 'string') return;
  const style = safeStyle(props.style);
  if (style === undefined) delete props.style;
  else props.style = style;
}

function prepareUrl(element: Element, name: string, ctx: HtmlContext, report: Findings): Outcome {
  const value = element.properties[name];
  if (typeof value !== 'string') {
    delete element.properties[name];
    return KEEP;
  }
  const allowed = allowedUrl(value, element.tagName === 'img');
  if (allowed === undefined) {
    delete element.properties[name];
    // A link whose target had to go is only its text.
    return element.tagName === 'a' ? UNWRAP : KEEP;
  }
  if (name !== 'href' && name !== 'src') return setUrl(element, name, allowed);
  const media = name === 'src';
  const macro = media && element.tagName === 'img' ? unknownMacroName(allowed) : undefined;
  if (macro !== undefined) {
    // The exporter's image for a macro it could not convert: Confluence's servlet, which a reader cannot load.
    const mode = ctx.unknownMacros ?? 'note';
    report.macros.push(macro);
    report.lookups.push(['macro', allowed, mode]);
    return mode === 'remove' ? REMOVE : replaceBy(placeholderElement('unknown-macro', unknownMacroText(macro)));
  }
  const ref = attachmentRef(allowed, media ? 'image' : 'link', ctx);
  if (ref) {
    // Raw HTML bypasses Astro's image pipeline: every attachment needs a served URL.
    // A file of a page that is not published is never served, whatever the resolver has.
    const hidden = ownerUnpublished(ref, ctx);
    const found: ReturnType<HtmlContext['attachment']> = hidden ? { missing: true } : ctx.attachment({ ...ref, usage: 'link' });
    report.lookups.push([media ? 'media' : 'attachment', allowed, attachmentOutcome(found, hidden, ctx)]);
    if (!('missing' in found)) {
      if (element.tagName !== 'img' || found.isImage) return setUrl(element, name, found.url);
      report.warnings.push(notAnImageWarning(ctx.page, ref));
      return replaceBy(link(found.url, [textNode(stringProperty(element, 'alt') || ref.fileName)]));
    }
    const confluenceUrl = ctx.missingFiles === 'confluence' ? found.confluenceUrl : undefined;
    if (confluenceUrl === allowed) return setUrl(element, name, allowed);
    // A relative image that names no attachment of the page (`images/logo.png` in a README) is
    // the author's own path: it stays as written, and only the log says it is not served.
    if (media && ref.pageId === undefined && !ref.relativePath?.split('/').includes('attachments')) {
      report.warnings.push(`Page ${ctx.page.id}: the image "${ref.relativePath}" is not an attachment of the page; it is left as written and the site does not serve it.`);
      return setUrl(element, name, allowed);
    }
    report.warnings.push(missingAttachmentWarning(ctx.page, ref, { ...found, confluenceUrl }, hidden));
    const words = element.tagName === 'img' ? stringProperty(element, 'alt') : textOf(element);
    if (hidden) {
      const text = element.tagName === 'img' ? words || UNPUBLISHED_LINK_TEXT : words;
      if (element.tagName === 'img') return replaceBy(textNode(textRevealsTarget(text, allowed, ref.pageId, ctx) ? UNPUBLISHED_LINK_TEXT : text));
      delete element.properties[name];
      if (element.tagName !== 'a') return KEEP;
      return textRevealsTarget(text, allowed, ref.pageId, ctx) ? replaceBy(textNode(UNPUBLISHED_LINK_TEXT)) : UNWRAP;
    }
    if (confluenceUrl) {
      if (element.tagName !== 'img') return setUrl(element, name, confluenceUrl);
      return replaceBy(link(confluenceUrl, [textNode(words || ref.fileName)]));
    }
    // Words that only repeat the file's name or URL add nothing to the placeholder.
    const telling = words.trim() !== '' && words.trim() !== ref.fileName && !textRevealsTarget(words, allowed, ref.pageId, ctx);
    const note = placeholderElement('missing-file', missingFileText(ref.fileName, element.tagName === 'img' && telling ? words : undefined));
    if (element.tagName === 'a') return telling ? { kind: 'unwrap', after: [textNode(' '), note] } : replaceBy(note);
    if (element.tagName === 'img' || element.tagName === 'video' || element.tagName === 'audio') return replaceBy(note);
    // A `<source>` or `<track>` goes without its file; the element's other sources still play.
    delete element.properties[name];
    return KEEP;
  }
  const resolved = resolvePageLink(allowed, ctx, report.warnings);
  if (resolved.kind !== 'leave') report.lookups.push(['page', allowed, pageOutcome(resolved, ctx)]);
  if (resolved.kind === 'leave') {
    const absolute = confluenceLinkToKeep(allowed, ctx);
    return setUrl(element, name, absolute ?? allowed);
  }
  if (resolved.kind === 'published') {
    const url = siteUrl(ctx.base, resolved.ref.path, resolved.anchor);
    if (element.tagName === 'a' && isUrlText(textOf(element), allowed)) element.children = [textNode(resolved.ref.title)];
    return setUrl(element, name, url);
  }
  if (ctx.unpublishedLinks === 'confluence' && resolved.confluenceUrl) {
    // Already written as the Confluence link (by the Markdown rewrite): reported there.
    if (resolved.confluenceUrl !== allowed) report.unresolved.push({ fromPageId: ctx.page.id, url: allowed, text: textOf(element), reason: resolved.reason });
    return setUrl(element, name, resolved.confluenceUrl);
  }
  const text = textOf(element);
  report.unresolved.push({ fromPageId: ctx.page.id, url: allowed, text, reason: resolved.reason });
  delete element.properties[name];
  if (element.tagName !== 'a') return element.tagName === 'img' ? replaceBy(textNode(stringProperty(element, 'alt') || UNPUBLISHED_LINK_TEXT)) : KEEP;
  return textRevealsTarget(text, allowed, resolved.pageId, ctx) ? replaceBy(textNode(UNPUBLISHED_LINK_TEXT)) : UNWRAP;
}

/** `srcset` candidates: each URL is checked and resolved as a `src` would be; a candidate that has to go is left out. */
function prepareSrcSet(element: Element, ctx: HtmlContext, report: Findings): Outcome {
  const value = element.properties.srcSet;
  const candidates = (Array.isArray(value) ? value : [value]).map(String);
  const kept: string[] = [];
  for (const candidate of candidates) {
    const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
    const probe: Element = { type: 'element', tagName: 'img', properties: { src: url }, children: [] };
    const outcome = prepareUrl(probe, 'src', ctx, report);
    if (outcome.kind === 'keep' && typeof probe.properties.src === 'string') kept.push([probe.properties.src, ...descriptor].join(' '));
  }
  if (kept.length === 0) delete element.properties.srcSet;
  else (element.properties as Record<string, unknown>).srcSet = kept;
  return KEEP;
}

function setUrl(element: Element, name: string, url: string): Outcome {
  element.properties[name] = url;
  return KEEP;
}

/** How an attachment resolved, as far as the HTML made of it depends on it (the `missingFiles` policy included). */
function attachmentOutcome(found: ReturnType<HtmlContext['attachment']>, hidden: boolean, ctx: HtmlContext): string {
  if (!('missing' in found)) return `${found.url}${found.isImage ? '' : ' not-an-image'}`;
  const confluenceUrl = ctx.missingFiles === 'confluence' ? found.confluenceUrl ?? '' : 'placeholder';
  return `missing ${confluenceUrl} ${found.withheld ? 'withheld' : ''} ${hidden ? 'hidden' : ''}`;
}

function pageOutcome(resolved: PageLink, ctx: HtmlContext): string {
  if (resolved.kind === 'published') return `${siteUrl(ctx.base, resolved.ref.path, resolved.anchor)} ${resolved.ref.title}`;
  if (resolved.kind === 'unpublished') return `${resolved.reason} ${ctx.unpublishedLinks === 'confluence' ? resolved.confluenceUrl ?? '' : ''}`;
  return 'leave';
}

/**
 * How each URL a page's HTML looked up resolves now, in the order of `lookups`: when these equal
 * the outcomes recorded at render time, the HTML still stands.
 */
export function currentOutcomes(lookups: readonly Lookup[], ctx: HtmlContext): string[] {
  return lookups.map(([kind, url]) => {
    if (kind === 'page') return pageOutcome(resolvePageLink(url, ctx, []), ctx);
    if (kind === 'macro') return ctx.unknownMacros ?? 'note';
    const ref = attachmentRef(url, kind === 'media' ? 'image' : 'link', ctx);
    if (ref === undefined) return '';
    const hidden = ownerUnpublished(ref, ctx);
    return attachmentOutcome(hidden ? { missing: true } : ctx.attachment({ ...ref, usage: 'link' }), hidden, ctx);
  });
}

/**
 * Astro's image marker (`__ASTRO_IMAGE_="{json}"`) becomes the `<img>`'s attributes after this
 * pass, in Astro's own render: its JSON is held to the same rules as the element. `src` must be a
 * relative path or an http(s) URL; every other key goes through the schema as an `img` property.
 * Undefined (the marker dropped) for anything that is not such an object.
 */
function sanitizeImageMarker(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { src, index, inferSize, ...rest } = parsed as Record<string, unknown>;
  const scheme = typeof src === 'string' ? /^([a-z][a-z0-9+.-]*):/i.exec(src)?.[1]?.toLowerCase() : undefined;
  if (typeof src !== 'string' || allowedUrl(src, false) !== src || (scheme !== undefined && scheme !== 'http' && scheme !== 'https')) return undefined;
  if (index !== undefined && !(Number.isInteger(index) && (index as number) >= 0)) return undefined;
  if (inferSize !== undefined && typeof inferSize !== 'boolean') return undefined;
  const properties = rest as Properties;
  for (const key of Object.keys(properties)) if (URL_ATTRIBUTES.has(key) || key === IMAGE_MARKER) delete properties[key];
  filterStyle(properties);
  const safe = (sanitize({ type: 'element', tagName: 'img', properties, children: [] }, PAGE_SCHEMA) as Element).properties;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(parsed)) {
    if (key === 'src' || key === 'index' || key === 'inferSize') out[key] = (parsed as Record<string, unknown>)[key];
    else if (key in safe) out[key] = safe[key];
  }
  return JSON.stringify(out);
}

/**
 * Text that reads as Astro's image marker would be taken for one by Astro's render, which finds
 * markers in the whole HTML with a regular expression: an invisible break keeps it text.
 */
function defangImageMarkerText(node: Text): void {
  if (node.value.includes('__ASTRO_IMAGE_')) node.value = node.value.replaceAll('__ASTRO_IMAGE_', '__ASTRO_IMAGE\u200B_');
}

function hasClass(element: Element, name: string): boolean {
  const classes = element.properties.className;
  return Array.isArray(classes) && classes.includes(name);
}

function sameList(value: unknown, expected: readonly unknown[]): boolean {
  return Array.isArray(value) && value.length === expected.length && value.every((item, i) => item === expected[i]);
}

/** The text content of an element, as a reader sees it. */
export function textOf(node: Element): string {
  let text = '';
  const stack: ElementContent[] = [...node.children].reverse();
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.type === 'text') text += next.value;
    else if (next.type === 'element') for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]!);
  }
  return text;
}

function isUrlText(text: string, url: string): boolean {
  const t = text.trim();
  return t === url || t === decodeSegment(url) || t.replace(/\/$/, '') === url.replace(/\/$/, '');
}

function stringProperty(element: Element, name: string): string {
  const value = element.properties[name];
  return typeof value === 'string' ? value : '';
}

function textNode(value: string): Text {
  return { type: 'text', value };
}

function link(href: string, children: ElementContent[]): Element {
  return { type: 'element', tagName: 'a', properties: { href }, children };
}

/** A node made to follow another's content takes the position of its end (markdown-html.ts emits by position). */
function positionedAfter<T extends ElementContent>(node: T, from: Element): T {
  if (from.position) node.position = { start: from.position.end, end: from.position.end };
  return node;
}

/** A node made in place of another takes its source position (markdown-html.ts emits by position). */
function withPosition<T extends ElementContent>(node: T, from: Element): T {
  if (from.position) node.position = from.position;
  return node;
}
