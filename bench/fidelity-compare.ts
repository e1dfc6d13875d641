/**
 * Compares one page as Starlight renders it from a Markdown file (`docsLoader()`, the baseline)
 * with the same page published through the loader: the content area of the `<main>`
 * (`.sl-markdown-content`), parsed with a real HTML parser (hast-util-from-html).
 *
 * Normalised on both sides, because it is irrelevant to a reader:
 * - attribute order (properties are sorted before anything is compared or printed);
 * - whitespace-only text next to a block element (it starts or ends a line, so it renders
 *   nothing), and the length of whitespace runs in text outside
 *   `pre` and `code` (a browser collapses each run to one space; the loader's Markdown may indent
 *   differently the blocks it rewrites): a run is one space, or one line break if it holds one;
 * - comments;
 * - hashed asset file names (`/_astro/ec.w36nc.css` → `/_astro/ec.[hash].css`);
 * - the token spans inside Expressive Code lines: each line is compared as its text. The language
 *   (`data-language`), the frame, the copy button's code and the text of every line are compared
 *   as they are; the token colours are not, because Expressive Code does not give the same
 *   tokens twice: two `docsLoader()` builds of the same file differed in the dark theme's
 *   colours of a `js` block.
 *
 * Then both trees are walked together. Where they differ, each difference is either explained by
 * one of the loader's deliberate changes (docs/fidelity.md), whose class is recorded, or it is
 * residual and kept with the smallest subtree pair that shows it. A deliberate change is checked,
 * not assumed: an alert becomes an aside only of the type its label maps to, with the content that
 * followed the label; a same-page anchor may be re-targeted only when its target id does not exist
 * in Starlight's render of the page.
 */
import { diffArrays } from 'diff';
import type { Element, ElementContent, Root, Text } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { phrasing } from 'hast-util-phrasing';
import { select, selectAll } from 'hast-util-select';
import { toHtml } from 'hast-util-to-html';
import { toString } from 'hast-util-to-string';
import { htmlTagNames } from 'html-tag-names';
import { ASIDE_FOR_LABEL } from '../packages/astro-loader-confluence/src/rewrite/alerts.ts';
import { parseConfluenceUrl } from '../packages/astro-loader-confluence/src/rewrite/confluence-urls.ts';
import { emojiForImage } from '../packages/astro-loader-confluence/src/rewrite/emoticons.ts';

/** The deliberate changes, by the name the report gives them. */
export const CLASSES = {
  aside: 'callouts and GFM alerts → asides',
  unknownTag: 'unknown HTML tag → its content',
  h1: 'extra H1 → H2',
  anchorToHeading: 'anchor → the heading id it names',
  anchorToPage: 'anchor with no target → the page',
  pageLink: 'Confluence page link → site path',
  emoticon: 'emoticon → emoji',
  unsafeElement: 'active HTML element removed',
  unsafeAttribute: 'event handler or unsafe URL removed',
  linkTarget: 'link target and rel dropped (sanitiser allow-list)',
  anchorName: '<a name> → <a id>',
  prefixedName: 'name attribute prefixed user-content- (anti-clobbering)',
} as const;

export interface PageRef {
  /** Page id in the stand-in's space. */
  id: string;
  /** The page's URL path on both sites, without slashes (`''` for the home page). */
  url: string;
  title: string;
  /** The document's path under the repository, for the report. */
  source: string;
}

export interface Residual {
  /** Where in the content the difference is, as a selector-like path. */
  where: string;
  /** `-` lines: Starlight's render; `+` lines: the loader's. */
  diff: string;
}

export interface PageComparison {
  page: PageRef;
  verdict: 'identical' | 'deliberate' | 'residual';
  /** The deliberate classes seen on this page. */
  classes: string[];
  residual: Residual[];
}

export interface CompareOptions {
  /** URL paths of every page of the loader's site (`''` for home), to recognise links to them. */
  sitePages: ReadonlySet<string>;
  /** The Confluence site host the space's pages name. */
  siteHost: string;
}

/** Elements the loader removes together with their content (docs/fidelity.md, HTML safety). */
const DROPPED_WITH_CONTENT = new Set(['script', 'style', 'iframe', 'object', 'embed', 'applet', 'noscript', 'template', 'textarea', 'svg', 'math', 'frameset', 'frame']);
/** Schemes the loader removes from URLs (docs/fidelity.md): everything else must stay. */
const UNSAFE_SCHEME = /^\s*(?:javascript|vbscript):/i;
const UNSAFE_DATA = /^\s*data:(?!image\/(?:png|gif|jpe?g|webp|avif|bmp);)/i;
const URL_PROPERTIES = new Set(['href', 'src', 'srcSet', 'poster', 'cite', 'background', 'action', 'formAction', 'data']);

export function comparePages(page: PageRef, baselineHtml: string | undefined, loaderHtml: string | undefined, options: CompareOptions): PageComparison {
  const result: PageComparison = { page, verdict: 'identical', classes: [], residual: [] };
  if (baselineHtml === undefined || loaderHtml === undefined) {
    result.verdict = 'residual';
    result.residual.push({ where: 'page', diff: `${baselineHtml === undefined ? '- (no page)' : '- (page built)'}\n${loaderHtml === undefined ? '+ (no page)' : '+ (page built)'}` });
    return result;
  }
  const baselineDoc = fromHtml(baselineHtml);
  const loaderDoc = fromHtml(loaderHtml);
  const baseline = select('main .sl-markdown-content', baselineDoc);
  const loader = select('main .sl-markdown-content', loaderDoc);
  if (!baseline || !loader) {
    result.verdict = 'residual';
    result.residual.push({ where: 'main', diff: `- ${baseline ? 'content area' : 'no content area'}\n+ ${loader ? 'content area' : 'no content area'}` });
    return result;
  }
  normalise(baseline);
  normalise(loader);
  const classes = new Set<string>();
  const context: Context = {
    classes,
    residual: result.residual,
    // An anchor's target exists if an element has its id, or an `<a>` has it as its name (HTML's rule).
    baselineTargets: targets(baselineDoc),
    loaderTargets: targets(loaderDoc),
    pageUrl: `/${page.url === '' ? '' : `${page.url}/`}`,
    options,
  };
  if (emoticonsToEmoji(baseline)) classes.add(CLASSES.emoticon);
  if (unwrapUnknownElements(baseline)) classes.add(CLASSES.unknownTag);
  compareChildren(baseline.children, loader.children, 'content', context);
  result.classes = [...classes].sort();
  result.verdict = result.residual.length > 0 ? 'residual' : classes.size > 0 ? 'deliberate' : 'identical';
  return result;
}

interface Context {
  classes: Set<string>;
  residual: Residual[];
  baselineTargets: ReadonlySet<string>;
  loaderTargets: ReadonlySet<string>;
  pageUrl: string;
  options: CompareOptions;
}

function targets(doc: Root): Set<string> {
  const ids = new Set<string>();
  for (const element of selectAll('[id], a[name]', doc)) {
    const value = element.properties.id ?? element.properties.name;
    if (value !== undefined && value !== null) ids.add(String(value));
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Normalisation

const isElement = (node: ElementContent | Root | undefined, tag?: string): node is Element =>
  node?.type === 'element' && (tag === undefined || node.tagName === tag);
const hasClass = (node: ElementContent | undefined, name: string): boolean =>
  isElement(node) && Array.isArray(node.properties.className) && node.properties.className.includes(name);
const isBlank = (node: ElementContent | undefined): boolean => node?.type === 'text' && node.value.trim() === '';
/** Block-level: an element that is not phrasing content (hast-util-phrasing's definition). */
const isBlock = (node: ElementContent | undefined): boolean => node?.type === 'element' && !phrasing(node);

const ASSET = /\/_astro\/([^/?#]+?)\.[A-Za-z0-9_-]+\.([a-z0-9]+)(?=$|[?#\s,])/g;

function normalise(element: Element): void {
  const stack: Element[] = [element];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.properties = Object.fromEntries(
      Object.entries(node.properties)
        .map(([key, value]) => [key, typeof value === 'string' ? value.replace(ASSET, '/_astro/$1.[hash].$2') : value] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    if (hasClass(node, 'ec-line')) {
      for (const child of node.children) if (isElement(child) && hasClass(child, 'code')) child.children = [{ type: 'text', value: toString(child) }];
      continue;
    }
    const keepWhitespace = node.tagName === 'pre' || node.tagName === 'code' || node.tagName === 'textarea';
    node.children = mergeText(node.children.filter((child) => child.type !== 'comment'));
    if (!keepWhitespace) {
      node.children = withoutBlockWhitespace(node.children, !phrasing(node));
      // A run with a line break stays one: an alert marker ends at its line.
      for (const child of node.children) if (child.type === 'text') child.value = child.value.replace(/[ \t\n\r\f]+/g, (run) => (run.includes('\n') ? '\n' : ' '));
    }
    for (const child of node.children) if (child.type === 'element') stack.push(child);
  }
}

/** `children` with adjacent text nodes joined (a removed comment or image leaves them apart). */
function mergeText(children: ElementContent[]): ElementContent[] {
  const out: ElementContent[] = [];
  for (const child of children) {
    const last = out.at(-1);
    if (child.type === 'text' && last?.type === 'text') out[out.length - 1] = { type: 'text', value: last.value + child.value };
    else out.push(child);
  }
  return out;
}

/**
 * `children` of `parent` without the whitespace-only text next to a block (a browser renders
 * none: it starts or ends a line). The start and end of a block parent count as a block.
 */
function withoutBlockWhitespace(children: ElementContent[], parentIsBlock: boolean): ElementContent[] {
  const block = (node: ElementContent | undefined) => (node === undefined ? parentIsBlock : isBlock(node));
  return children.filter((child, i, all) => !isBlank(child) || !(block(all[i - 1]) || block(all[i + 1])));
}

const KNOWN_TAGS = new Set(htmlTagNames);

/**
 * The baseline's elements of tag names HTML does not have (`Array<Dispatcher>` in prose is read as
 * a `<dispatcher>` tag) replaced by their content, as the loader's HTML filter writes them.
 */
function unwrapUnknownElements(root: Element): boolean {
  let changed = false;
  const unwrap = (children: ElementContent[]): ElementContent[] =>
    children.flatMap((child) => {
      // SVG and MathML have tag names of their own.
      if (child.type !== 'element' || child.tagName === 'svg' || child.tagName === 'math') return [child];
      child.children = unwrap(child.children);
      if (KNOWN_TAGS.has(child.tagName) || child.tagName.includes('-')) return [child];
      changed = true;
      return child.children;
    });
  root.children = mergeText(unwrap(root.children));
  return changed;
}

/** The baseline's emoticon images as the emoji the loader writes instead; whether there were any. */
function emoticonsToEmoji(root: Element): boolean {
  let changed = false;
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const children = node.children.map((child): ElementContent => {
      const emoji = isElement(child, 'img') ? emojiForImage(String(child.properties.src ?? ''), String(child.properties.alt ?? '')) : undefined;
      if (emoji === undefined) return child;
      changed = true;
      return { type: 'text', value: emoji };
    });
    node.children = mergeText(children);
    for (const child of node.children) if (child.type === 'element') stack.push(child);
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Walking both trees

const serialise = (node: ElementContent): string => toHtml(node);

function compareChildren(baseline: ElementContent[], loader: ElementContent[], where: string, context: Context): void {
  const a = baseline.map(serialise);
  const b = loader.map(serialise);
  if (a.length === b.length && a.every((s, i) => s === b[i])) return;
  let i = 0;
  let j = 0;
  const changes = diffArrays(a, b);
  for (let k = 0; k < changes.length; k++) {
    const change = changes[k]!;
    if (!change.added && !change.removed) {
      i += change.count;
      j += change.count;
      continue;
    }
    // A run of removals and additions is one hunk: pair its nodes, explain the rest.
    let removed = 0;
    let added = 0;
    while (k < changes.length && (changes[k]!.added || changes[k]!.removed)) {
      if (changes[k]!.added) added += changes[k]!.count;
      else removed += changes[k]!.count;
      k++;
    }
    k--;
    compareHunk(baseline.slice(i, i + removed), loader.slice(j, j + added), where, context);
    i += removed;
    j += added;
  }
}

/** Differing runs of siblings: nodes are paired by kind (tag name, or text), the rest explained alone. */
function compareHunk(baseline: ElementContent[], loader: ElementContent[], where: string, context: Context): void {
  const kind = (node: ElementContent) => (node.type === 'element' ? pairingKind(node) : node.type);
  const changes = diffArrays(baseline.map(kind), loader.map(kind));
  const unmatched: { baseline: ElementContent[]; loader: ElementContent[] } = { baseline: [], loader: [] };
  let i = 0;
  let j = 0;
  for (const change of changes) {
    if (!change.added && !change.removed) {
      for (let n = 0; n < change.count; n++) compareNode(baseline[i + n]!, loader[j + n]!, where, context);
      i += change.count;
      j += change.count;
    } else if (change.removed) {
      for (const node of baseline.slice(i, i + change.count)) {
        if (isElement(node) && DROPPED_WITH_CONTENT.has(node.tagName)) context.classes.add(CLASSES.unsafeElement);
        else unmatched.baseline.push(node);
      }
      i += change.count;
    } else {
      unmatched.loader.push(...loader.slice(j, j + change.count));
      j += change.count;
    }
  }
  // What pairs with nothing is shown together: one difference, as a reader would see it.
  if (unmatched.baseline.length > 0 || unmatched.loader.length > 0) residual(context, where, unmatched.baseline, unmatched.loader);
}

/** Nodes that a deliberate change turns into another element pair up with it. */
function pairingKind(node: Element): string {
  if (node.tagName === 'blockquote' || hasClass(node, 'starlight-aside')) return 'callout';
  if (hasClass(node, 'sl-heading-wrapper') || node.tagName === 'h1' || node.tagName === 'h2') return 'heading';
  return node.tagName;
}

function compareNode(baseline: ElementContent, loader: ElementContent, where: string, context: Context): void {
  if (serialise(baseline) === serialise(loader)) return;
  if (baseline.type !== 'element' || loader.type !== 'element') return residual(context, where, baseline, loader);
  const here = `${where} > ${describe(baseline)}`;
  if (baseline.tagName === 'blockquote' && hasClass(loader, 'starlight-aside')) return compareAside(baseline, loader, here, context);
  if ((hasClass(baseline, 'level-h1') && hasClass(loader, 'level-h2')) || (baseline.tagName === 'h1' && loader.tagName === 'h2')) {
    context.classes.add(CLASSES.h1);
    return compareNode(demoted(baseline), loader, where, context);
  }
  if (baseline.tagName !== loader.tagName) return residual(context, where, baseline, loader);
  if (!compareProperties(baseline, loader, context)) return residual(context, where, shallow(baseline), shallow(loader));
  if (!baseline.children.every(isInline)) return compareChildren(baseline.children, loader.children, here, context);
  // Inline content is reported as its whole block (a paragraph, a heading): the smallest part a reader sees as one.
  const before = context.residual.length;
  compareChildren(baseline.children, loader.children, here, context);
  if (context.residual.length > before) {
    context.residual.length = before;
    residual(context, here, baseline, loader);
  }
}

const isInline = (node: ElementContent): boolean => node.type !== 'element' || phrasing(node);

/** Whether the properties are equal, or differ only by deliberate changes (recorded). */
function compareProperties(baseline: Element, loader: Element, context: Context): boolean {
  const keys = new Set([...Object.keys(baseline.properties), ...Object.keys(loader.properties)]);
  for (const key of keys) {
    const a = baseline.properties[key];
    const b = loader.properties[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const explained = key === 'href' && baseline.tagName === 'a' ? retargeted(String(a ?? ''), b === undefined ? undefined : String(b), context) : sanitised(key, baseline, loader);
    const removedUnsafe = b === undefined && a !== undefined && (/^on/i.test(key) || key === 'srcDoc' || (URL_PROPERTIES.has(key) && (UNSAFE_SCHEME.test(String(a)) || UNSAFE_DATA.test(String(a)))));
    if (explained) context.classes.add(explained);
    else if (removedUnsafe) context.classes.add(CLASSES.unsafeAttribute);
    else return false;
  }
  return true;
}

/**
 * The class of what the HTML pass's schema (rewrite/html-schema.ts) changes on purpose in one
 * attribute, checked against both elements; undefined when it is none of them.
 */
function sanitised(key: string, baseline: Element, loader: Element): string | undefined {
  const a = baseline.properties[key];
  const b = loader.properties[key];
  // Links lose `target` and `rel`: neither is in the allow-list.
  if (baseline.tagName === 'a' && (key === 'target' || key === 'rel') && b === undefined) return CLASSES.linkTarget;
  // `<a name="x">` keeps its target as `id="x"`, without the clobbering prefix (a same-page link still lands).
  if (baseline.tagName === 'a' && key === 'name' && b === undefined && loader.properties.id === a && baseline.properties.id === undefined) return CLASSES.anchorName;
  if (baseline.tagName === 'a' && key === 'id' && a === undefined && b === baseline.properties.name && loader.properties.name === undefined) return CLASSES.anchorName;
  // Other `name`s are prefixed alike, so elements that share one (an exclusive `<details>` group) still do.
  if (key === 'name' && baseline.tagName !== 'a' && typeof a === 'string' && b === `user-content-${a}`) return CLASSES.prefixedName;
  return undefined;
}

/** The class of a deliberate change of a link's `href`, or undefined when it is none. */
function retargeted(before: string, after: string | undefined, context: Context): string | undefined {
  if (after === undefined) return undefined;
  if (before.startsWith('#')) {
    const wanted = safeDecode(before.slice(1));
    // Starlight's render has this target: re-targeting it would break a working link.
    if (context.baselineTargets.has(wanted) || context.baselineTargets.has(before.slice(1))) return undefined;
    if (after.startsWith('#') && context.loaderTargets.has(safeDecode(after.slice(1)))) return CLASSES.anchorToHeading;
    if (after === context.pageUrl) return CLASSES.anchorToPage;
    return undefined;
  }
  const target = parseConfluenceUrl(before, { siteHosts: [context.options.siteHost] });
  if (target && target.kind !== 'attachment') {
    const path = after.replace(/#.*$/, '');
    if (path.startsWith('/') && context.options.sitePages.has(path.replace(/^\/|\/$/g, ''))) return CLASSES.pageLink;
  }
  return undefined;
}

/**
 * A blockquote that opens with an alert marker (`[!NOTE]`) or a bold label (`**Note:**`), against
 * the loader's aside: the type and title the label maps to, and the content after the label.
 */
function compareAside(blockquote: Element, aside: Element, where: string, context: Context): void {
  const panel = panelOf(blockquote);
  const type = /\bstarlight-aside--(\w+)/.exec(((aside.properties.className as string[] | undefined) ?? []).join(' '))?.[1];
  const title = aside.children.find((child) => hasClass(child, 'starlight-aside__title'));
  const content = aside.children.find((child): child is Element => isElement(child) && hasClass(child, 'starlight-aside__content'));
  const expectedTitle = panel?.title || (type ? type[0]!.toUpperCase() + type.slice(1) : '');
  if (!panel || panel.type !== type || !title || toString(title).trim() !== expectedTitle || !content) {
    return residual(context, where, blockquote, aside);
  }
  context.classes.add(CLASSES.aside);
  compareChildren(panel.content, content.children, `${where} > aside`, context);
}

/** What the loader takes from a panel blockquote: aside type, title, and the content after the label. */
function panelOf(blockquote: Element): { type: string; title: string; content: ElementContent[] } | undefined {
  const [first, ...rest] = blockquote.children;
  if (!isElement(first, 'p')) return undefined;
  const [lead, ...inline] = first.children;
  let type: string | undefined;
  let title = '';
  let remaining: ElementContent[];
  const alert = lead?.type === 'text' ? /^\[!(note|tip|important|warning|caution)\][ \t]*([^\n]*)\n?/i.exec(lead.value) : null;
  if (alert && lead?.type === 'text') {
    type = ASIDE_FOR_LABEL[alert[1]!.toLowerCase()];
    title = alert[2]!.trim();
    remaining = [{ type: 'text', value: lead.value.slice(alert[0].length) } satisfies Text, ...inline];
  } else if (isElement(lead, 'strong')) {
    const label = /^(info|note|tip|warning|error|success):?$/i.exec(toString(lead).trim());
    if (!label) return undefined;
    type = ASIDE_FOR_LABEL[label[1]!.toLowerCase()];
    remaining = [...inline];
    const next = remaining[0];
    // `**Note**: text` keeps its colon outside the bold.
    if (next?.type === 'text') remaining[0] = { type: 'text', value: next.value.replace(/^[ \t]*:?[ \t]*\n?/, '') };
  } else {
    return undefined;
  }
  if (remaining[0]?.type === 'text' && remaining[0].value === '') remaining.shift();
  const content = withoutBlockWhitespace(remaining.length > 0 ? [{ ...first, children: remaining }, ...rest] : rest, true);
  return type === undefined ? undefined : { type, title, content };
}

/** An H1 (or Starlight's wrapper of one) made an H2, as the loader writes the heading. */
function demoted(heading: Element): Element {
  if (heading.tagName === 'h1') return { ...heading, tagName: 'h2' };
  const className = (heading.properties.className as string[]).map((name) => (name === 'level-h1' ? 'level-h2' : name));
  return {
    ...heading,
    properties: { ...heading.properties, className },
    children: heading.children.map((child) => (isElement(child, 'h1') ? { ...child, tagName: 'h2' } : child)),
  };
}

// ---------------------------------------------------------------------------------------------
// The report

function describe(node: Element): string {
  const id = node.properties.id ? `#${String(node.properties.id)}` : '';
  const className = Array.isArray(node.properties.className) && node.properties.className.length > 0 ? `.${node.properties.className[0]}` : '';
  return `${node.tagName}${id}${className}`;
}

/** The element without its children: for a difference in its attributes. */
function shallow(node: Element): Element {
  return { ...node, children: [{ type: 'text', value: '…' }] };
}

const MAX = 600;

function residual(context: Context, where: string, baselineNodes: ElementContent | ElementContent[], loaderNodes: ElementContent | ElementContent[]): void {
  const baseline = [baselineNodes].flat();
  const loader = [loaderNodes].flat();
  const a = baseline.map(serialise).join('');
  const b = loader.map(serialise).join('');
  // Long nodes are cut to the part around their first difference.
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const cut = (text: string) => {
    if (text.length <= MAX) return text;
    const from = Math.max(0, Math.min(common - MAX / 3, text.length - MAX));
    return `${from > 0 ? '…' : ''}${text.slice(from, from + MAX)}${from + MAX < text.length ? '…' : ''}`;
  };
  const lines = [baseline.length > 0 ? `- ${cut(a)}` : '- (nothing)', loader.length > 0 ? `+ ${cut(b)}` : '+ (nothing)'];
  context.residual.push({ where, diff: lines.map((line) => line.replace(/\n/g, '⏎')).join('\n') });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
