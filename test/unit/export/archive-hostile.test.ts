/**
 * Archive names and sizes as an attacker would write them, checked against what jszip does on its
 * own (it resolves `..` in names and inflates entries to check CRCs unless told not to).
 */
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../../packages/astro-loader-confluence/src/export/archive.ts';
import { resolveOptions } from '../../../packages/astro-loader-confluence/src/config/options.ts';
import { writeZip } from '../../helpers/zip.ts';

describe('names jszip would quietly resolve', () => {
  it('refuses ../ entries, and the whole archive when one hides a real page', async () => {
    const { files, warnings } = await readArchive(
      writeZip([{ name: 'home.md', data: '# Home' }, { name: '../intro.md', data: '# Evil' }, { name: 'docs/../../x.md', data: 'x' }]),
      'batch 1',
    );
    expect(files.map((f) => [f.path, new TextDecoder().decode(f.data)])).toEqual([['home.md', '# Home']]);
    expect(warnings.filter((w) => /climbs out/.test(w))).toHaveLength(2);

    const shadowing = writeZip([{ name: 'home.md', data: '# Home' }, { name: '../home.md', data: '# Evil' }]);
    await expect(readArchive(shadowing, 'batch 2')).rejects.toThrow(/batch 2.*"\.\.\/home\.md".*refused/);
  });
});

describe('zip bombs', () => {
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

  it('enforces maxEntries on a zip64 archive, whose end record does not carry the count', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({ name: `p${i}.md`, data: `# P${i}` }));
    const outcome = await readArchive(writeZip(entries, { zip64: true }), 'batch Z', { maxEntries: 5, maxEntryBytes: 1 << 20, maxTotalBytes: 1 << 20 }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    expect(outcome).toMatch(/batch Z.*30 entries/);
  });

  it('keeps the default when a limit is given as undefined, so the bomb is still refused', async () => {
    const resolved = resolveOptions({ spaceKey: 'DOCS', archiveLimits: { maxEntryBytes: undefined, maxTotalBytes: 1024 * 1024 } });
    expect(resolved.archiveLimits.maxEntryBytes).toBeGreaterThan(0);
    const bomb = writeZip([{ name: 'bomb.bin', data: new Uint8Array(10 * 1024 * 1024) }]);
    const outcome = await readArchive(bomb, 'b', resolved.archiveLimits).then(() => 'accepted', () => 'refused');
    expect(outcome).toBe('refused');
  });
});

describe('integrity', () => {
  it('refuses an entry whose data does not match its CRC', async () => {
    const zip = writeZip([{ name: 'home.md', data: '# Home', badCrc: true }]);
    await expect(readArchive(zip, 'batch C')).rejects.toThrow(/batch C.*CRC/);
  });
});
