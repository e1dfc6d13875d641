/**
 * Slugs as the Markdown Exporter writes them (lowercase, ASCII, spaces → `-`), so that the site's
 * paths read like the archive's file names.
 */
const SPECIAL: Record<string, string> = {
  ß: 'ss', æ: 'ae', Æ: 'ae', ø: 'o', Ø: 'o', œ: 'oe', Œ: 'oe', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd',
  ð: 'd', þ: 'th', Þ: 'th', ı: 'i', '&': 'and',
};

export function slugify(title: string): string {
  const ascii = title
    .replace(/[ßæÆøØœŒłŁđĐðþÞı&]/g, (c) => ` ${SPECIAL[c]} `.trim())
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  return ascii
    .toLowerCase()
    .replace(/[^a-z0-9\s_-]+/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A comparison key that ignores everything slugs and Confluence anchors disagree on. */
export function looseKey(text: string): string {
  return slugify(text).replace(/-/g, '');
}
