/**
 * withReusedFormatter(): the last-updated date formats exactly as a Date does, for the call
 * Starlight makes and for any other, in any locale; it is still a Date of the same instant.
 */
import { describe, expect, it } from 'vitest';
import { withReusedFormatter } from '../../../packages/astro-loader-confluence/src/starlight/last-updated.ts';

const dates = [new Date('2025-01-16T01:20:00Z'), new Date('1999-12-31T23:59:59.999Z'), new Date('2024-02-29T12:00:00Z'), new Date(0)];
// Intl.Locale objects too: two different ones must never share a cached formatter.
const locales = ['en', 'de', 'fr-CA', 'ja', 'ar', 'zh-Hant-TW', 'he', undefined, ['xx', 'pt-BR'], new Intl.Locale('de'), new Intl.Locale('fr'), [new Intl.Locale('ja')]];
const options: (Intl.DateTimeFormatOptions | undefined)[] = [
  { dateStyle: 'medium', timeZone: 'UTC' },
  { dateStyle: 'full', timeZone: 'America/New_York' },
  { dateStyle: 'short' },
  // Without dateStyle the two APIs differ (a date is required here): Date's own method answers.
  { hour: 'numeric', timeZone: 'UTC' },
  { month: 'long' },
  undefined,
];

describe('withReusedFormatter', () => {
  it('formats like Date.prototype.toLocaleDateString, whatever the locale and options, twice in a row', () => {
    for (const date of dates) {
      const reused = withReusedFormatter(date);
      for (const locale of locales) {
        for (const option of options) {
          const expected = date.toLocaleDateString(locale as Intl.LocalesArgument, option);
          expect(reused.toLocaleDateString(locale as Intl.LocalesArgument, option), JSON.stringify([date, locale, option])).toBe(expected);
          expect(reused.toLocaleDateString(locale as Intl.LocalesArgument, option)).toBe(expected);
        }
      }
    }
  });

  it('is a Date of the same instant, with the rest of Date as it was', () => {
    const date = dates[0]!;
    const reused = withReusedFormatter(date);
    expect(reused).toBeInstanceOf(Date);
    expect(reused.getTime()).toBe(date.getTime());
    expect(reused.toISOString()).toBe(date.toISOString());
    expect(reused.toLocaleString('de', { timeZone: 'UTC' })).toBe(date.toLocaleString('de', { timeZone: 'UTC' }));
    expect(withReusedFormatter(reused)).toBe(reused);
  });
});
