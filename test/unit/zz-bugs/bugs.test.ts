import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../../packages/astro-loader-confluence/src/archive.ts';
import { resolveOptions } from '../../../packages/astro-loader-confluence/src/options.ts';
import { titleOf } from '../../../packages/astro-loader-confluence/src/page-tree.ts';
import { assignSitePaths } from '../../../packages/astro-loader-confluence/src/site-paths.ts';
import { buildSpaceTree } from '../../../packages/astro-loader-confluence/src/space-tree.ts';
import { page } from '../../helpers/tree.ts';
import { writeZip } from '../../helpers/zip.ts';

describe('BUG archive.ts: entries with .. are renamed by jszip, not refused', () => {
  it('refuses ../evil.md with a warning instead of keeping it as evil.md', async () => {
    const { files, warnings } = await readArchive(
      writeZip([{ name: 'home.md', data: '# Home' }, { name: '../home.md', data: '# Evil' }, { name: 'docs/../../x.md', data: 'x' }]),
      'batch 1',
    );
    expect(files.map((f) => [f.path, new TextDecoder().decode(f.data)])).toEqual([['home.md', '# Home']]);
    expect(warnings.filter((w) => /climbs out/.test(w))).toHaveLength(2);
  });
});

describe('BUG archive.ts: a zip bomb is inflated in full before the limits apply', () => {
  it('inflates little more than the limit of a 64 MB bomb with a 1 MB limit', async () => {
    const Inflate = (pako as unknown as { Inflate: { prototype: { push: (...args: unknown[]) => boolean } } }).Inflate;
    const push = Inflate.prototype.push;
    let inflated = 0;
    Inflate.prototype.push = function (this: { strm: { total_out: number } }, ...args: unknown[]) {
      const before = this.strm.total_out;
      const result = push.apply(this, args);
      inflated += this.strm.total_out - before;
      return result;
    };
    try {
      const bomb = writeZip([{ name: 'bomb.bin', data: new Uint8Array(64 * 1024 * 1024) }]);
      const limits = { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024 };
      await expect(readArchive(bomb, 'batch B', limits)).rejects.toThrow(/batch B/);
      expect(inflated).toBeLessThan(32 * 1024 * 1024);
    } finally {
      Inflate.prototype.push = push;
    }
  });
});

describe('BUG page-tree.ts: titleOf drops a trailing # that belongs to the title', () => {
  it.each([
    ['# C#\n', 'C#'],
    ['# F# and C#\n', 'F# and C#'],
    ['# C# #\n', 'C#'],
  ])('reads %j as %j', (markdown, title) => {
    expect(titleOf(markdown)).toBe(title);
  });
});

describe('BUG site-paths.ts: a suffixed path can equal a sibling\'s plain slug', () => {
  it('gives every sibling a distinct path', () => {
    const tree = buildSpaceTree([
      page('1', 'Home'),
      page('5', 'Setup 123', '1', 1),
      page('7', 'Setup', '1', 2),
      page('123', 'Setup', '1', 3),
    ]);
    const { paths } = assignSitePaths(tree, new Set(['1', '5', '7', '123']));
    expect(new Set(paths.values()).size).toBe(paths.size);
  });
});

describe('BUG options.ts: an archive limit given as undefined switches the limit off', () => {
  it('keeps the default for a limit given as undefined', () => {
    const resolved = resolveOptions({ spaceKey: 'DOCS', archiveLimits: { maxEntryBytes: undefined, maxTotalBytes: undefined } });
    expect(resolved.archiveLimits.maxEntryBytes).toBeGreaterThan(0);
    expect(resolved.archiveLimits.maxTotalBytes).toBeGreaterThan(0);
  });

  it('then lets a 10 MB entry through a readArchive that should stop it', async () => {
    const resolved = resolveOptions({ spaceKey: 'DOCS', archiveLimits: { maxEntryBytes: undefined, maxTotalBytes: 1024 * 1024 } });
    const bomb = writeZip([{ name: 'bomb.bin', data: new Uint8Array(10 * 1024 * 1024) }]);
    await expect(readArchive(bomb, 'b', { ...resolved.archiveLimits, maxTotalBytes: Number.NaN })).rejects.toThrow();
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => resolveOptions({ spaceKey: 'DOCS', archiveLimits: { maxEntryBytes: -1 } })).toThrow(/maxEntryBytes/);
  });
});
