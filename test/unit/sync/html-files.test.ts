/**
 * Page HTML kept in files of the build cache (sync/html-files.ts): named by content, read back only
 * when the bytes still hash to the name, pruned to what entries name. A damaged or forged cache must
 * fail the page rather than publish HTML the sanitising pass did not produce.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfluenceLoaderError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { HTML_FILE, htmlFileOf, presentHtmlFiles, pruneHtmlFiles, readHtmlFile, writeHtmlFile } from '../../../packages/astro-loader-confluence/src/sync/html-files.ts';

describe('html-files', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'html-files-')), 'html');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('names a file by its content, once for the same HTML, and reads it back as written', async () => {
    const html = '<p>Caf\u00e9 \u2014 \u201cquoted\u201d</p>';
    const name = await writeHtmlFile(dir, html);
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(await writeHtmlFile(dir, html)).toBe(name);
    expect(await writeHtmlFile(dir, '<p>other</p>')).not.toBe(name);
    expect(readdirSync(dir).sort()).toHaveLength(2);
    expect(await readHtmlFile(dir, name)).toBe(html);
    expect(await presentHtmlFiles(dir)).toEqual(new Set([name, await writeHtmlFile(dir, '<p>other</p>')]));
  });

  it('refuses a file whose bytes no longer hash to its name', async () => {
    const name = await writeHtmlFile(dir, '<p>safe</p>');
    writeFileSync(join(dir, `${name}.html`), '<p>safe</p><script>alert(1)</script>');
    await expect(readHtmlFile(dir, name)).rejects.toThrow(/is not what the loader wrote, so it is not published/);
  });

  it('refuses a name that is not a content hash, so a forged store cannot read other files', async () => {
    writeFileSync(join(dir, '..', 'secret.html'), 'not a page');
    for (const name of ['../secret', '../../etc/passwd', 'A'.repeat(64), `${'a'.repeat(63)}/`, '']) {
      await expect(readHtmlFile(dir, name)).rejects.toThrow(/not a content hash/);
    }
  });

  it('says a missing file is missing, with the fix, and names no page', async () => {
    const error: unknown = await readHtmlFile(dir, 'b'.repeat(64)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfluenceLoaderError);
    expect((error as ConfluenceLoaderError).message).toMatch(/missing from the build cache \(bbbbbbbbbbbb…\)/);
    expect((error as ConfluenceLoaderError).hint).toMatch(/Delete the build cache/);
  });

  it('prunes the files no entry names and keeps the rest', async () => {
    const kept = await writeHtmlFile(dir, '<p>kept</p>');
    const dropped = await writeHtmlFile(dir, '<p>dropped</p>');
    await pruneHtmlFiles(dir, new Set([kept]));
    expect(await presentHtmlFiles(dir)).toEqual(new Set([kept]));
    await expect(readHtmlFile(dir, dropped)).rejects.toThrow(/missing/);
    // No folder yet: nothing present, nothing to prune.
    const none = join(dir, 'none');
    expect(await presentHtmlFiles(none)).toEqual(new Set());
    await pruneHtmlFiles(none, new Set());
  });

  it('reads the file name only from the entry key the loader writes', () => {
    expect(htmlFileOf({ rendered: { metadata: { [HTML_FILE]: 'c'.repeat(64) } } })).toBe('c'.repeat(64));
    expect(htmlFileOf({ rendered: { metadata: { [HTML_FILE]: 5 } } })).toBeUndefined();
    expect(htmlFileOf({ rendered: { metadata: {} } })).toBeUndefined();
    expect(htmlFileOf(undefined)).toBeUndefined();
  });
});
