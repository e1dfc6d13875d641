/**
 * A snapshot write whose final rename fails (EPERM, as Windows can answer while a file is open)
 * must leave the previous snapshot whole, where it was.
 */
import * as fsp from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { RawCache } from '../../../packages/astro-loader-confluence/src/sync/raw-cache.ts';
import { readManifest, writeSnapshot } from '../../../packages/astro-loader-confluence/src/sources/snapshot.ts';
import { syncPages } from '../../../packages/astro-loader-confluence/src/sync/sync.ts';
import { FakeSource } from '../../helpers/fake-source.ts';
import { useTempDirs } from '../../helpers/tmp.ts';
import { page } from '../../helpers/tree.ts';

/** These tests are about the snapshot's files and manifest; scrubbing is tested in test/unit/rewrite/scrub.test.ts. */
const asExported = (_pageId: string, markdown: string) => markdown;

const failing = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (failing.on && /\.current\.[0-9a-f]+\.tmp$/.test(String(from))) {
        throw Object.assign(new Error(`EPERM: operation not permitted, rename '${from}' -> '${to}'`), { code: 'EPERM' });
      }
      return real.rename(from, to);
    },
  };
});
const tempDir = useTempDirs();

it('keeps the previous snapshot in place when the final rename fails', async () => {
  const work = await tempDir('snap-rename-');
  const source = new FakeSource([{ page: page('1', 'Home') }, { page: page('2', 'Intro', '1', 1) }]);
  const cache = new RawCache(join(work, 'cache'));
  const outcome = await syncPages({ source, cache, key: 'K' });
  const dir = join(work, 'snaps', 'current');
  await writeSnapshot(dir, outcome, cache, { spaceKey: 'K' }, asExported, new Date('2025-01-01T00:00:00Z'));
  failing.on = true;
  await expect(writeSnapshot(dir, outcome, cache, { spaceKey: 'K' }, asExported)).rejects.toThrow(/EPERM/);
  failing.on = false;
  expect(existsSync(dir)).toBe(true);
  expect((await readManifest(dir)).takenAt).toBe('2025-01-01T00:00:00.000Z');
  expect(await fsp.readdir(join(work, 'snaps'))).toEqual(['current']);
});
