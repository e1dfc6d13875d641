/**
 * What HTML a published page may carry: one allow-list, read by hast-util-sanitize, extending the
 * library's default (GitHub's rules) by spreading it. Everything not named here is dropped: an
 * unknown element keeps its text, an element in `strip` goes with its content, an attribute not
 * listed for its element (or for `*`) is removed, and a URL attribute keeps only the protocols in
 * `protocols` (checked again, after the browser's own URL normalisation, by {@link allowedUrl}).
 *
 * Additions over the default, each because something the site renders needs it:
 * - Starlight: asides (`aside`, the icon `svg`/`path`: only Starlight's own icons are kept, see
 *   html-tree.ts), heading anchors, task lists, footnotes.
 * - Expressive Code: `figure`/`figcaption`, the copy `button` (`data-code`), colours as CSS
 *   custom properties in `style`, and its one stylesheet and script, only at the build's own
 *   `_astro/ec.*` URLs (see {@link expressiveCodeAsset}).
 * - Confluence content: formatting and media elements the exporter writes as raw HTML, `class`
 *   and `style` (declarations filtered by {@link safeStyle}).
 * - Astro's image marker on `img` (`__ASTRO_IMAGE_`, its JSON sanitised like the element itself).
 *
 * `id` is kept as written (Starlight's heading ids, the table of contents and `#anchor` links need
 * it; a Markdown heading gives any author the same control over ids, and an id never overrides a
 * property the page's scripts define: named access on `window` has the lowest precedence). `name`
 * is prefixed (`user-content-`), since `<img name>` and `<form name>` clobber `document` properties.
 */
import { createRequire } from 'node:module';
import type * as CssTree from 'css-tree';
import { defaultSchema, type Schema } from 'hast-util-sanitize';

/**
 * css-tree, loaded on first use: with its syntax data it takes half a second to load, which every
 * CLI command and every site build would pay up front, while most pages need no style checked.
 */
let cssTree: typeof CssTree | undefined;
const css = (): typeof CssTree => (cssTree ??= createRequire(import.meta.url)('css-tree') as typeof CssTree);

/**
 * The default's attributes per element, less its `class` values restricted per element (GitHub's
 * footnote and task list classes): a page may carry any class (`*` below), and a restricted entry
 * would filter out the others (Starlight's `sl-anchor-link` on `<a>`) rather than fall back to `*`.
 */
const DEFAULT_ATTRIBUTES = Object.fromEntries(
  Object.entries(defaultSchema.attributes!).map(([tag, list]) => [tag, list.filter((entry) => !(Array.isArray(entry) && entry[0] === 'className'))]),
);
/** Form attributes of the default `*` list: forms are not allowed, so they can only carry payloads. */
const FORM_ONLY = new Set(['action', 'method', 'encType', 'accept', 'acceptCharset']);

/** Hast property name of Astro's image marker (`__ASTRO_IMAGE_`) as an HTML parser reads it. */
export const IMAGE_MARKER = '__astro_image_';

const MEDIA = ['src', 'controls', 'width', 'height', 'loop', 'muted', 'preload', 'playsInline', 'autoPlay'];
const SVG_PAINT = ['fill', 'fillRule', 'clipRule', 'fillOpacity', 'stroke', 'strokeWidth', 'strokeLinecap', 'strokeLinejoin', 'strokeOpacity', 'opacity', 'transform'];

/**
 * Schemes a link may keep: the web, mail and phone, and harmless ones a browser hands to another
 * program (file transfer, chat, news, source control, calendars, maps). docs/fidelity.md lists them.
 */
export const SAFE_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:', 'tel:', 'sms:', 'ftp:', 'ftps:', 'sftp:', 'ssh:', 'git:', 'svn:', 'irc:', 'ircs:', 'xmpp:', 'news:', 'nntp:', 'webcal:', 'geo:']);

export const PAGE_SCHEMA: Schema = {
  ...defaultSchema,
  tagNames: [
    ...defaultSchema.tagNames!,
    'abbr', 'aside', 'audio', 'bdi', 'bdo', 'button', 'caption', 'center', 'cite', 'col', 'colgroup', 'dfn',
    'figcaption', 'figure', 'font', 'link', 'mark', 'path', 'script', 'small', 'svg', 'time', 'track', 'u',
    'video', 'wbr',
  ],
  attributes: {
    ...DEFAULT_ATTRIBUTES,
    '*': [...DEFAULT_ATTRIBUTES['*']!.filter((name) => typeof name !== 'string' || !FORM_ONLY.has(name)), 'className', 'style', 'ariaHidden', 'ariaLabel', 'ariaLive', 'role', 'dataPagefindIgnore'],
    img: [...DEFAULT_ATTRIBUTES.img!, 'srcSet', 'sizes', 'loading', 'decoding', IMAGE_MARKER],
    source: [...DEFAULT_ATTRIBUTES.source!, 'src', 'type', 'sizes'],
    video: [...MEDIA, 'poster'],
    audio: MEDIA,
    track: ['src', 'kind', 'srcLang', 'default'],
    font: ['face'],
    pre: ['dataLanguage'],
    button: ['dataCode', 'dataCopied'],
    svg: ['viewBox', 'width', 'height', ...SVG_PAINT],
    path: ['d', ...SVG_PAINT],
    // Expressive Code's assets: their URLs are checked against the build's own (expressiveCodeAsset).
    link: [['rel', 'stylesheet'], 'href'],
    script: [['type', 'module'], 'src'],
  },
  ancestors: { ...defaultSchema.ancestors, path: ['svg'] },
  clobber: ['name'],
  protocols: {
    ...defaultSchema.protocols,
    href: [...new Set([...defaultSchema.protocols!.href!, ...[...SAFE_PROTOCOLS].map((p) => p.slice(0, -1))])],
    // `data:` only reaches here for images of an allowed type (allowedUrl).
    src: ['http', 'https', 'data'],
    srcSet: ['http', 'https'],
    poster: ['http', 'https'],
  },
  strip: [
    ...defaultSchema.strip!,
    'style', 'template', 'noscript', 'noembed', 'noframes', 'title', 'textarea', 'xmp', 'plaintext', 'iframe',
    'frame', 'frameset', 'object', 'embed', 'applet', 'math', 'select', 'option', 'head', 'meta', 'base',
    'foreignObject', 'use', 'animate', 'animateMotion', 'animateTransform', 'set', 'desc',
  ],
};

/** The attributes (hast property names) whose values are URLs; srcSet holds a list of them. */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set(['href', 'src', 'srcSet', 'cite', 'longDesc', 'poster', 'xLinkHref']);

const IMAGE_DATA = /^data:image\/(?:png|gif|jpeg|webp|avif|bmp)[;,]/i;

/**
 * The URL as it may stay in the page, or undefined when it must go: the value is read the way the
 * browser reads it (WHATWG URL parsing strips surrounding spaces and control characters, drops
 * tabs and newlines anywhere, lowercases the scheme, and has already seen character references
 * decoded by the HTML parser), so `java&#x09;script:` or ` JAVASCRIPT:` cannot pass as relative.
 * `data:` is kept only for images of a raster type on `img`. An absolute URL written in another
 * form than the normalised one (uppercase scheme, leading spaces) is returned normalised, so that
 * the sanitiser's own protocol check reads the same scheme.
 */
export function allowedUrl(value: string, imageElement: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value, 'https://site.invalid/');
  } catch {
    return undefined;
  }
  // The browser's own first steps: trim C0 controls and spaces, drop every tab and newline.
  const read = value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  if (!/^[a-z][a-z0-9+.-]*:/i.test(read)) return value; // relative: resolved against the page, never a scheme of its own
  if (url.protocol === 'data:') return imageElement && IMAGE_DATA.test(url.href) ? url.href : undefined;
  if (!SAFE_PROTOCOLS.has(url.protocol)) return undefined;
  return value.startsWith(url.protocol) ? value : url.href;
}

/** CSS properties a page's `style` attributes may set: how text and boxes look, nothing that places them over the page. */
const STYLE_PROPERTIES = new Set([
  'color', 'background-color', 'text-align', 'text-decoration', 'text-decoration-line', 'text-transform', 'font-weight',
  'font-style', 'font-size', 'font-family', 'font-variant', 'line-height', 'letter-spacing', 'white-space', 'word-break',
  'vertical-align', 'width', 'height', 'min-width', 'max-width', 'min-height', 'max-height', 'margin', 'margin-top',
  'margin-right', 'margin-bottom', 'margin-left', 'padding', 'padding-top', 'padding-right', 'padding-bottom',
  'padding-left', 'border', 'border-top', 'border-right', 'border-bottom', 'border-left', 'border-color', 'border-style',
  'border-width', 'border-radius', 'border-collapse', 'list-style-type', 'display', 'float', 'clear', 'opacity',
  'fill', 'stroke', 'stroke-width', 'stop-color', 'stop-opacity', 'font-stretch', 'text-anchor', 'dominant-baseline',
]);
/** CSS functions a value may call: colours and arithmetic. No `url()`, `image()`, `expression()`, `attr()`. */
const STYLE_FUNCTIONS = new Set(['rgb', 'rgba', 'hsl', 'hsla', 'hwb', 'lab', 'lch', 'oklab', 'oklch', 'var', 'calc', 'min', 'max', 'clamp']);
/** Value nodes css-tree gives for plain values; anything else (Raw, Url, an unknown function) is not plain. */
const STYLE_NODES = new Set(['Value', 'Identifier', 'Number', 'Dimension', 'Percentage', 'Hash', 'Operator', 'String', 'WhiteSpace', 'Function']);

/**
 * A `style` attribute's value with every declaration dropped that is not plain: an allowed
 * property (or a custom property, as Expressive Code sets them) whose value css-tree parses into
 * numbers, keywords, colours and allowed functions only. What css-tree cannot parse (escapes,
 * `url(javascript:…)`, broken syntax) is not plain. `localUrls` also accepts `url(#id)` (an SVG
 * document's gradients and clip paths). Undefined when nothing is left; the input itself when
 * everything stays, so ordinary styles keep their bytes.
 */
export function safeStyle(value: string, localUrls = false): string | undefined {
  // Expressive Code repeats a handful of colour styles on every token of every code block.
  const cache = localUrls ? svgStyles : pageStyles;
  if (cache.has(value)) return cache.get(value);
  if (cache.size >= STYLE_CACHE_SIZE) cache.clear();
  const safe = filterDeclarations(value, localUrls);
  cache.set(value, safe);
  return safe;
}

const STYLE_CACHE_SIZE = 4096;
const pageStyles = new Map<string, string | undefined>();
const svgStyles = new Map<string, string | undefined>();

function filterDeclarations(value: string, localUrls: boolean): string | undefined {
  const list = css().parse(value, { context: 'declarationList', parseCustomProperty: true, onParseError: () => undefined }) as CssTree.DeclarationList;
  const kept: CssTree.CssNode[] = [];
  let dropped = false;
  list.children.forEach((declaration) => {
    if (declaration.type === 'Declaration' && plainDeclaration(declaration, localUrls)) kept.push(declaration);
    else dropped = true;
  });
  if (!dropped) return value.trim() === '' ? undefined : value;
  return kept.length === 0 ? undefined : kept.map((d) => css().generate(d)).join(';');
}

function plainDeclaration(declaration: CssTree.Declaration, localUrls: boolean): boolean {
  const property = declaration.property.toLowerCase();
  if (!property.startsWith('--') && !STYLE_PROPERTIES.has(property)) return false;
  let plain = true;
  css().walk(declaration.value, (node) => {
    if (node.type === 'Url' && localUrls && node.value.startsWith('#')) return;
    if (!STYLE_NODES.has(node.type) || (node.type === 'Function' && !STYLE_FUNCTIONS.has(node.name.toLowerCase()))) plain = false;
  });
  return plain;
}

/**
 * Whether a `<script>` or `<link>` is Expressive Code's own asset: the module script and the
 * stylesheet it adds to a page's first code block, at `{assets}ec.<hash>.js|css` under the build's
 * assets folder. A page can name these files too; they are the site's own code either way.
 */
export function expressiveCodeAsset(tagName: 'script' | 'link', url: unknown, assetsBase: string): boolean {
  if (typeof url !== 'string' || !url.startsWith(assetsBase)) return false;
  return new RegExp(`^ec\\.[A-Za-z0-9_-]+\\.${tagName === 'script' ? 'js' : 'css'}$`).test(url.slice(assetsBase.length));
}
