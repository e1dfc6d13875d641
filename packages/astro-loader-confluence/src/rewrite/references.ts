/**
 * Which attachments a page's Markdown references: the file names its images and links point at,
 * as the rewrite will resolve them (`attachments/x.png`, `./attachments/My%20File.pdf`, a relative
 * image, or a Confluence download or thumbnail URL of this very page). Read from the parsed
 * document (links, images, definitions, and `src`/`href`/`srcset` of raw HTML parsed as HTML), so a
 * file is a page's only if the page really points at it, never because its name occurs in the text
 * (`metadata.png` does not "mention" `a.png`).
 */
import { fromHtml } from 'hast-util-from-html';
import type { Element, Nodes as HastNodes } from 'hast';
import { decodeSegment } from './confluence-urls.ts';
import { rewriteParser } from './parse.ts';
import { ABSOLUTE_URL, relativeAttachment } from './targets.ts';
import { unknownMacroName } from './unknown-macros.ts';
import { documentNodes } from './walk.ts';

const parser = rewriteParser().freeze();

/**
 * What any reference to an attachment must contain somewhere in the page's text: an image, an
 * `attachments` path, a download URL, an HTML `src`/`srcset`/`poster`, or an escape that could
 * spell one of them. A page with none of these references nothing, and is not parsed: every
 * parse costs native memory that a 10,000-page sync would otherwise pile up.
 */
const COULD_REFERENCE = /!\[|attachments|download\/|src|poster|%|&#/i;

/** The attachment file names `markdown` (the page `pageId`'s own export) references. */
export function attachmentReferences(markdown: string, pageId: string): Set<string> {
  const names = new Set<string>();
  if (!COULD_REFERENCE.test(markdown)) return names;
  const add = (url: string, usage: 'image' | 'link') => {
    const name = attachmentName(url, usage, pageId);
    if (name !== undefined) names.add(name);
  };
  for (const { node } of documentNodes(parser.parse(markdown))) {
    if (node.type === 'image') add(node.url, 'image');
    else if (node.type === 'link' || node.type === 'definition') add(node.url, 'link');
    else if (node.type === 'html') for (const [url, usage] of htmlUrls(node.value)) add(url, usage);
  }
  return names;
}

/** Every URL raw HTML points at, from a real HTML parse: `[url, 'image' | 'link']`. */
function htmlUrls(html: string): [string, 'image' | 'link'][] {
  const out: [string, 'image' | 'link'][] = [];
  const stack: HastNodes[] = [fromHtml(html, { fragment: true })];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'element') {
      const element = node as Element;
      const usage = element.tagName === 'a' ? 'link' : 'image';
      for (const key of ['src', 'href', 'poster']) {
        const value = element.properties[key];
        if (typeof value === 'string') out.push([value, usage]);
      }
      const srcset = element.properties.srcSet;
      if (typeof srcset === 'string') for (const candidate of srcset.split(',')) out.push([candidate.trim().split(/\s+/)[0] ?? '', 'image']);
    }
    if ('children' in node) stack.push(...(node.children as HastNodes[]));
  }
  return out;
}

/**
 * The attachment a URL names, as the rewrite reads it (targets.ts `attachmentRef`): relative links
 * through an `attachments/` folder and relative images; download and thumbnail URLs of this page.
 * Unlike the rewrite it accepts a download URL on any host: it only decides which of this page's
 * own files to keep or fetch, and the archive does not say which host the site has.
 */
function attachmentName(url: string, usage: 'image' | 'link', pageId: string): string | undefined {
  // An unknown macro's placeholder image (unknown-macros.ts) is no file of the page, written relative or not.
  if (url === '' || url.startsWith('#') || unknownMacroName(url) !== undefined) return undefined;
  if (url.startsWith('/') || ABSOLUTE_URL.test(url)) {
    let pathname: string;
    try {
      pathname = new URL(url, 'https://confluence.invalid/').pathname;
    } catch {
      return undefined;
    }
    const segments = pathname.split('/').filter(Boolean);
    const at = segments.findIndex((s, i) => s.toLowerCase() === 'download' && /^(attachments|thumbnails)$/i.test(segments[i + 1] ?? ''));
    if (at < 0 || segments[at + 2] !== pageId || segments.length < at + 4) return undefined;
    return decodeSegment(segments.slice(at + 3).join('/'));
  }
  return relativeAttachment(url, usage)?.fileName;
}
