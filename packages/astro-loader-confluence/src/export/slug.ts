/**
 * Slugs as the Markdown Exporter writes them (lowercase, ASCII, spaces → `-`), so that the site's
 * paths read like the archive's file names, and the planner can tell which sibling titles would
 * give the same file name.
 */
const SPECIAL: Record<string, string> = {
  ß: 'ss', æ: 'ae', Æ: 'ae', ø: 'o', Ø: 'o', œ: 'oe', Œ: 'oe', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd',
  ð: 'd', þ: 'th', Þ: 'th', ı: 'i', '&': 'and',
};

/** ASCII without `&`: nothing to transliterate. */
const PLAIN_ASCII = /^[\x00-\x25\x27-\x7f]*$/;

/** `title` with letters transliterated to ASCII where they can be (accents dropped, ß → ss, & → and). */
export function toAscii(title: string): string {
  // Most titles are plain ASCII already: normalising them is the cost of slugging a large space.
  if (PLAIN_ASCII.test(title)) return title;
  return title
    .replace(/[ßæÆøØœŒłŁđĐðþÞı&]/g, (c) => ` ${SPECIAL[c]} `.trim())
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}

export function slugify(title: string): string {
  return toAscii(title)
    .toLowerCase()
    .replace(/[^a-z0-9\s_-]+/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Whether every letter and digit of `title` survives transliteration (else the slug loses words). */
export function transliterates(title: string): boolean {
  return !/[^\x00-\x7f]/.test(toAscii(title).replace(/[^\p{L}\p{N}]/gu, ''));
}

/** A comparison key that ignores everything slugs and Confluence anchors disagree on. */
export function looseKey(text: string): string {
  return slugify(text).replace(/-/g, '');
}
