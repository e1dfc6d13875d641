/** File writes that never leave a half-written file behind: write a sibling, then rename over. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    try {
      await writeFile(temp, data, { mode: options.mode });
    } catch (error) {
      // The folder is made only when it is missing: a sync writes thousands of files into a few
      // folders, and a mkdir before each was seconds of a large cold build.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temp, data, { mode: options.mode });
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Fills a sibling temporary folder, then swaps it in place of `target`: readers see the old folder
 * or the new one, never half of each, and a failure while filling leaves the old one untouched.
 */
export async function replaceDirAtomic(target: string, fill: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(temp, { recursive: true });
  try {
    await fill(temp);
    const old = existsSync(target) ? `${temp}.old` : undefined;
    if (old) await rename(target, old);
    try {
      await rename(temp, target);
    } catch (error) {
      // Put the previous folder back: a failed swap must leave it whole, where it was.
      if (old) await rename(old, target);
      throw error;
    }
    if (old) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
