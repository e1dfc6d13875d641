/** Temporary folders under test/.tmp/ (git-ignored), removed after each test that asks for one. */
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const ROOT = fileURLToPath(new URL('../.tmp/', import.meta.url));

/** Call at the top level of a test file; returns a function that makes a fresh folder. */
export function useTempDirs(): (prefix?: string) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    while (made.length) await rm(made.pop()!, { recursive: true, force: true });
  });
  return async (prefix = 'unit-') => {
    await mkdir(ROOT, { recursive: true });
    const dir = await mkdtemp(join(ROOT, prefix));
    made.push(dir);
    return dir;
  };
}
