/**
 * The page's last-updated date, as a Date that formats itself with one reused `Intl.DateTimeFormat`.
 *
 * Starlight's LastUpdated component (and most overrides of it) calls
 * `lastUpdated.toLocaleDateString(lang, { dateStyle: 'medium', timeZone: 'UTC' })` once per page,
 * and V8 builds a new formatter on every such call: 0.15 to 0.7 ms, about 10 % of rendering a page
 * of a large space (bench/README.md). A formatter is made once per locale and options instead.
 * Only calls with `dateStyle` and locale tags given as strings are served from it: for those,
 * `toLocaleDateString` and `Intl.DateTimeFormat` agree by the spec; any other call goes to Date's
 * own method.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

class ReusedFormatterDate extends Date {
  override toLocaleDateString(locales?: Intl.LocalesArgument, options?: Intl.DateTimeFormatOptions): string {
    // The cache key is JSON, which would write every `Intl.Locale` object as `{}`: only tags as strings.
    const tags = locales === undefined || typeof locales === 'string' || (Array.isArray(locales) && locales.every((tag) => typeof tag === 'string'));
    if (!options?.dateStyle || !tags) return super.toLocaleDateString(locales, options);
    const key = JSON.stringify([locales, options]);
    let formatter = formatters.get(key);
    if (!formatter) formatters.set(key, (formatter = new Intl.DateTimeFormat(locales, options)));
    return formatter.format(this);
  }
}

export function withReusedFormatter(date: Date): Date {
  return date instanceof ReusedFormatterDate ? date : new ReusedFormatterDate(date.getTime());
}
