/**
 * File names in the export archive, as the app documents them: "lowercased, special characters
 * transliterated to ASCII, spaces replaced with -". What the app does beyond that is not
 * documented; the choices below are this stand-in's, kept simple and stable.
 */

/** Letters that NFKD does not decompose into ASCII plus combining marks. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  ø: 'o',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ŋ: 'ng',
  ħ: 'h',
  ĸ: 'k',
  ŀ: 'l',
  ſ: 's',
};

const SPECIAL = new RegExp(`[${Object.keys(TRANSLITERATIONS).join('')}]`, 'g');

export function slugify(title: string): string {
  const ascii = title
    .toLowerCase()
    .replace(SPECIAL, (ch) => TRANSLITERATIONS[ch] ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  const slug = ascii
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  // A title made only of symbols or non-Latin script leaves nothing; the file still needs a name.
  return slug || 'untitled';
}

export type SlugCollision = 'suffix' | 'duplicate-entry';

/**
 * Slugs for one folder's pages, in the order given (sibling order). With 'suffix' the second
 * page whose title slugifies alike gets `-2`, the third `-3`; with 'duplicate-entry' every page
 * keeps its plain slug and the archive ends up with two entries of the same name.
 */
export function siblingSlugs(titles: readonly string[], mode: SlugCollision = 'suffix'): string[] {
  if (mode === 'duplicate-entry') return titles.map(slugify);
  const taken = new Set<string>();
  return titles.map((title) => {
    const base = slugify(title);
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    taken.add(slug);
    return slug;
  });
}
