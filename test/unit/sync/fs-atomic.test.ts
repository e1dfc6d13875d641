/**
 * writeFileAtomic makes the folder only when the write finds it missing (a sync writes thousands of
 * files into a few folders). It must still write into any missing depth, keep the mode it is asked
 * for, and leave no temporary file behind when the write fails.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../packages/astro-loader-confluence/src/sync/fs-atomic.ts';
import { useTempDirs } from '../../helpers/tmp.ts';

const tempDir = useTempDirs();

describe('writeFileAtomic', () => {
  it('writes into folders that do not exist yet, at any depth, and into ones that do', async () => {
    const root = await tempDir('atomic-');
    await writeFileAtomic(join(root, 'a', 'b', 'c', 'one.md'), 'one');
    await writeFileAtomic(join(root, 'a', 'b', 'c', 'two.md'), 'two');
    await writeFileAtomic(join(root, 'a', 'b', 'c', 'one.md'), 'again');
    expect(await readFile(join(root, 'a', 'b', 'c', 'one.md'), 'utf8')).toBe('again');
    expect((await readdir(join(root, 'a', 'b', 'c'))).sort()).toEqual(['one.md', 'two.md']);
  });

  it('creates the file with the mode asked for, in a new folder too', async () => {
    const root = await tempDir('atomic-');
    await writeFileAtomic(join(root, 'new', '.env'), 'SECRET=1\n', { mode: 0o600 });
    expect((await stat(join(root, 'new', '.env'))).mode & 0o777).toBe(0o600);
  });

  it('fails when the folder is a file, and leaves no temporary file anywhere', async () => {
    const root = await tempDir('atomic-');
    await writeFile(join(root, 'pages'), 'not a folder');
    await expect(writeFileAtomic(join(root, 'pages', 'one.md'), 'one')).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(await readdir(root)).toEqual(['pages']);
  });

  it('leaves no temporary file when the rename fails', async () => {
    const root = await tempDir('atomic-');
    // A folder where the file should go: the temporary file is written, the rename over it fails.
    await mkdir(join(root, 'one.md'));
    await writeFile(join(root, 'one.md', 'inside'), 'x');
    await expect(writeFileAtomic(join(root, 'one.md'), 'one')).rejects.toBeDefined();
    expect(await readdir(root)).toEqual(['one.md']);
  });
});
