/**
 * Page HTML files (sync/html-files.ts) damaged the ways a restored CI cache or a hand leaves them:
 * emptied, replaced by a link to another page's file, by a folder. Each must fail the page with the
 * loader's own error, never hand back bytes the sanitising pass did not produce under that name.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfluenceLoaderError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { presentHtmlFiles, readHtmlFile, writeHtmlFile } from '../../../packages/astro-loader-confluence/src/sync/html-files.ts';

describe('html-files in a damaged cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'html-files-damaged-')), 'html');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  const failure = (name: string) => readHtmlFile(dir, name).then(() => undefined, (error: unknown) => error);

  it('refuses a file emptied (truncated to nothing)', async () => {
    const name = await writeHtmlFile(dir, '<p>page</p>');
    writeFileSync(join(dir, `${name}.html`), '');
    const error = await failure(name);
    expect(error).toBeInstanceOf(ConfluenceLoaderError);
    expect((error as Error).message).toMatch(/is not what the loader wrote/);
  });

  it('refuses a file replaced by a link to another page\'s file, and reads through a link to the same bytes', async () => {
    const own = await writeHtmlFile(dir, '<p>own page</p>');
    const other = await writeHtmlFile(dir, '<p>other page</p>');
    rmSync(join(dir, `${own}.html`));
    symlinkSync(join(dir, `${other}.html`), join(dir, `${own}.html`));
    expect(await failure(own)).toBeInstanceOf(ConfluenceLoaderError);
    expect(((await failure(own)) as Error).message).toMatch(/is not what the loader wrote/);
    // The same bytes elsewhere are the page's HTML, wherever they are kept.
    const copy = join(dir, '..', 'copy.html');
    writeFileSync(copy, '<p>own page</p>');
    rmSync(join(dir, `${own}.html`));
    symlinkSync(copy, join(dir, `${own}.html`));
    expect(await readHtmlFile(dir, own)).toBe('<p>own page</p>');
  });

  it('answers a folder in place of a file with its own error, naming the fix', async () => {
    const name = await writeHtmlFile(dir, '<p>page</p>');
    rmSync(join(dir, `${name}.html`));
    mkdirSync(join(dir, `${name}.html`));
    const error = await failure(name);
    expect(error).toBeInstanceOf(ConfluenceLoaderError);
    expect((error as ConfluenceLoaderError).hint).toMatch(/Delete the build cache/);
  });

  it('says what is wrong, and the fix, when the folder of HTML files is a file', async () => {
    mkdirSync(join(dir, '..'), { recursive: true });
    writeFileSync(dir, 'not a folder');
    const error: unknown = await presentHtmlFiles(dir).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfluenceLoaderError);
    expect((error as ConfluenceLoaderError).message).toMatch(/not a folder/);
    expect((error as ConfluenceLoaderError).hint).toMatch(/Delete the build cache/);
  });
});
