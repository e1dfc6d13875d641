import { describe, expect, it } from 'vitest';
import { looseKey, slugify, toAscii } from '../../../packages/astro-loader-confluence/src/export/slug.ts';

describe('slugify', () => {
  it.each([
    ['Getting Started', 'getting-started'],
    ['  API   Reference  ', 'api-reference'],
    ['Release 2.0 (beta)!', 'release-20-beta'],
    ['snake_case_title', 'snake-case-title'],
    ['a - b -- c', 'a-b-c'],
    ['Über Größe', 'uber-grosse'],
    ['Ça va, Noël?', 'ca-va-noel'],
    ['Smørrebrød', 'smorrebrod'],
    ['Łódź', 'lodz'],
    ['Æsir Œuvre', 'aesir-oeuvre'],
    ['Þór', 'thor'],
    ['---', ''],
    ['日本語', ''],
  ])('slugifies %j as %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('writes & as "and"', () => {
    expect(slugify('Terms & Conditions')).toBe('terms-and-conditions');
  });

  it('only ever yields lowercase ASCII letters, digits and single inner dashes', () => {
    const samples = ['Ünïcödé  títle', '100% done', 'C++ / C#', 'tab\there', 'emoji 🙂 page', 'x'.repeat(200)];
    for (const title of samples) expect(slugify(title)).toMatch(/^([a-z0-9]+(-[a-z0-9]+)*)?$/);
  });

  it('gives every ASCII character alone, and beside an accented letter, the same slug as the full transliteration does', () => {
    // The plain-ASCII fast path skips normalising; it must never change a slug.
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      expect(toAscii(`a${c}b`)).toBe(c === '&' ? 'aandb' : `a${c}b`);
      expect(slugify(`x${c}y`)).toBe(slugify(`é${c}y`).replace(/^e/, 'x'));
    }
  });

  it('is idempotent', () => {
    for (const title of ['Getting Started', 'Über Größe', 'Release 2.0']) expect(slugify(slugify(title))).toBe(slugify(title));
  });
});

describe('looseKey', () => {
  it('ignores dashes, case and punctuation', () => {
    expect(looseKey('Getting-Started')).toBe(looseKey('getting started'));
    expect(looseKey('Step 1: Install')).toBe('step1install');
    expect(looseKey('Setup')).not.toBe(looseKey('Set up again'));
  });
});
