/**
 * SVG attachments as the site publishes them: an SVG file opened on its own is a document of the
 * site's origin, and its `<script>`, event handlers, `<foreignObject>` HTML and `javascript:` links
 * would run there. The file is parsed as the browser's HTML parser reads SVG (parse5), sanitised
 * against an allow-list of drawing elements built like the page schema (html-schema.ts), and
 * written back as an SVG document. What cannot be written safely goes: `<style>` elements (their
 * text is written raw, so an escaped `<` in them would become markup in the browser's XML parse),
 * animation (`<set>` and `<animate>` can rewrite an `href` to `javascript:`), references to
 * anything but the document itself (`<use>`, `url()` paint).
 */
import type { Element, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { defaultSchema, sanitize, type Schema } from 'hast-util-sanitize';
import { allowedUrl, safeStyle } from './html-schema.ts';
import { parseHtml } from './html-tree.ts';

const SHAPES = ['svg', 'g', 'defs', 'symbol', 'switch', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan', 'textPath', 'title', 'desc', 'image', 'use', 'marker', 'clipPath', 'mask', 'pattern', 'linearGradient', 'radialGradient', 'stop', 'metadata'];
const FILTERS = ['filter', 'feBlend', 'feColorMatrix', 'feComposite', 'feDropShadow', 'feFlood', 'feGaussianBlur', 'feMerge', 'feMergeNode', 'feMorphology', 'feOffset'];

/** Geometry and presentation: what an SVG needs to draw. Values holding `url()` are checked by {@link paintValue}. */
const PRESENTATION = [
  'id', 'className', 'style', 'transform', 'fill', 'fillOpacity', 'fillRule', 'stroke', 'strokeWidth', 'strokeLinecap',
  'strokeLinejoin', 'strokeMiterlimit', 'strokeDasharray', 'strokeDashoffset', 'strokeOpacity', 'opacity', 'clipPath',
  'clipRule', 'mask', 'filter', 'display', 'visibility', 'color', 'fontFamily', 'fontSize', 'fontWeight', 'fontStyle',
  'fontVariant', 'textAnchor', 'textDecoration', 'dominantBaseline', 'alignmentBaseline', 'baselineShift', 'letterSpacing',
  'wordSpacing', 'writingMode', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'fx', 'fy', 'dx', 'dy',
  'width', 'height', 'd', 'points', 'pathLength', 'viewBox', 'preserveAspectRatio', 'offset', 'stopColor', 'stopOpacity',
  'gradientUnits', 'gradientTransform', 'patternUnits', 'patternContentUnits', 'patternTransform', 'spreadMethod',
  'rotate', 'textLength', 'lengthAdjust', 'startOffset', 'markerWidth', 'markerHeight', 'markerUnits', 'refX', 'refY',
  'orient', 'markerStart', 'markerMid', 'markerEnd', 'clipPathUnits', 'maskUnits', 'maskContentUnits', 'filterUnits',
  'primitiveUnits', 'stdDeviation', 'in', 'in2', 'result', 'mode', 'operator', 'k1', 'k2', 'k3', 'k4', 'radius',
  'floodColor', 'floodOpacity', 'vectorEffect', 'shapeRendering', 'textRendering', 'imageRendering', 'paintOrder',
  'overflow', 'xmlSpace', 'version', 'baseProfile', 'role', 'ariaLabel', 'ariaHidden', 'lang', 'systemLanguage',
];

export const SVG_SCHEMA: Schema = {
  ...defaultSchema,
  tagNames: [...SHAPES, ...FILTERS],
  attributes: {
    '*': PRESENTATION,
    svg: ['xmlns', 'xmlnsXLink'],
    // Only references into the document itself (`#id`); images as http(s) or raster data URLs (allowedUrl).
    use: [['href', /^#/], ['xLinkHref', /^#/]],
    textPath: [['href', /^#/], ['xLinkHref', /^#/]],
    linearGradient: [['href', /^#/], ['xLinkHref', /^#/]],
    radialGradient: [['href', /^#/], ['xLinkHref', /^#/]],
    pattern: [['href', /^#/], ['xLinkHref', /^#/]],
    image: ['href', 'xLinkHref'],
  },
  ancestors: {},
  clobber: [],
  protocols: { href: ['http', 'https', 'data'], xLinkHref: ['http', 'https', 'data'] },
  required: { svg: { xmlns: 'http://www.w3.org/2000/svg' } },
  strip: ['script', 'style', 'foreignObject', 'iframe', 'animate', 'animateMotion', 'animateTransform', 'set', 'discard', 'handler', 'listener'],
};

/** Attributes whose values may name a paint server, clip path, mask, filter or marker as `url(...)`. */
const PAINT = new Set(['fill', 'stroke', 'clipPath', 'mask', 'filter', 'markerStart', 'markerMid', 'markerEnd']);

/**
 * The SVG document, safe to publish on the site's origin, or undefined when the file holds no
 * `<svg>` element (then it is not published at all).
 */
export function sanitizeSvgDocument(text: string): string | undefined {
  const tree = parseHtml(text);
  const root = tree.children.find((node): node is Element => node.type === 'element' && node.tagName === 'svg');
  if (!root) return undefined;
  prepare(root);
  const clean = sanitize({ type: 'root', children: [root] } satisfies Root, SVG_SCHEMA) as Root;
  const svg = clean.children.find((node): node is Element => node.type === 'element' && node.tagName === 'svg');
  if (!svg) return undefined;
  if (usesXLink(svg)) svg.properties.xmlnsXLink = 'http://www.w3.org/1999/xlink';
  return `${toHtml(svg, { space: 'svg', closeEmptyElements: true, tightSelfClosing: true })}\n`;
}

/** Checks what the schema cannot: style declarations, `url()` in paint, image URLs, and `<` in values (not allowed in XML attributes). */
function prepare(root: Element): void {
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const element = stack.pop()!;
    const props = element.properties;
    for (const [name, value] of Object.entries(props)) {
      const text = Array.isArray(value) ? value.join(' ') : String(value);
      let keep = !text.includes('<');
      if (keep && name === 'style') {
        const style = safeStyle(text, true);
        if (style === undefined) keep = false;
        else props.style = style;
      } else if (keep && PAINT.has(name)) keep = paintValue(text);
      else if (keep && (name === 'href' || name === 'xLinkHref') && element.tagName === 'image') keep = allowedUrl(text, true) === text;
      if (!keep) delete props[name];
    }
    for (const child of element.children) if (child.type === 'element') stack.push(child);
  }
}

/** A paint value is plain CSS whose only `url()` is into the document (`url(#gradient)`). */
function paintValue(value: string): boolean {
  return safeStyle(`fill:${value}`, true) !== undefined;
}

function usesXLink(root: Element): boolean {
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const element = stack.pop()!;
    if ('xLinkHref' in element.properties) return true;
    for (const child of element.children) if (child.type === 'element') stack.push(child);
  }
  return false;
}
