import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { checkEntryPath, readArchive, type ArchiveLimits } from '../../../packages/astro-loader-confluence/src/export/archive.ts';
import { ArchiveError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { writeZip } from '../../helpers/zip.ts';

const MB = 1024 * 1024;
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const limits = (over: Partial<ArchiveLimits> = {}): ArchiveLimits => ({ maxEntries: 100, maxEntryBytes: MB, maxTotalBytes: MB, ...over });

async function rejection(promise: Promise<unknown>): Promise<ArchiveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

describe('checkEntryPath', () => {
  it.each([
    ['docs/setup.md', 'docs/setup.md'],
    ['./docs//setup.md', 'docs/setup.md'],
    ['docs/./a/b.png', 'docs/a/b.png'],
    ['dir/', 'dir'],
    ['a..b/c...md', 'a..b/c...md'],
  ])('accepts %j as %j', (name, path) => {
    expect(checkEntryPath(name)).toEqual({ path });
  });

  it.each([
    ['../evil.md', /\.\./],
    ['docs/../../evil.md', /\.\./],
    ['docs/..', /\.\./],
    ['/etc/passwd', /absolute/],
    ['docs\\..\\evil.md', /backslash/],
    ['C:/Windows/evil.md', /drive letter/],
    ['c:evil.md', /drive letter/],
    ['a\0.md', /NUL/],
    ['', /empty/],
    ['./', /empty/],
  ])('refuses %j', (name, reason) => {
    const result = checkEntryPath(name);
    expect(result).toHaveProperty('refused');
    expect((result as { refused: string }).refused).toMatch(reason);
  });
});

describe('readArchive', () => {
  it('reads the files of a real zip, skipping folders', async () => {
    const zip = new JSZip();
    zip.file('home.md', '# Home\n');
    zip.file('home/setup guide.md', '# Setup guide\n');
    zip.file('home/attachments/pixel.png', new Uint8Array([137, 80, 78, 71]));
    zip.folder('empty');
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    const { files, warnings } = await readArchive(bytes, 'batch 1');
    expect(warnings).toEqual([]);
    expect(files.map((f) => f.path).sort()).toEqual(['home.md', 'home/attachments/pixel.png', 'home/setup guide.md']);
    expect(text(files.find((f) => f.path === 'home/setup guide.md')!.data)).toBe('# Setup guide\n');
    expect([...files.find((f) => f.path.endsWith('.png'))!.data]).toEqual([137, 80, 78, 71]);
  });

  it('reads stored and deflated entries alike, with UTF-8 names', async () => {
    const { files } = await readArchive(
      writeZip([
        { name: 'stored.md', data: '# Stored', method: 'store' },
        { name: 'überblick.md', data: '# Überblick' },
      ]),
      'b',
    );
    expect(Object.fromEntries(files.map((f) => [f.path, text(f.data)]))).toEqual({ 'stored.md': '# Stored', 'überblick.md': '# Überblick' });
  });

  it('reads an archive that ends with zip64 records', async () => {
    const entries = Array.from({ length: 3 }, (_, i) => ({ name: `p${i}.md`, data: `# P${i}` }));
    const { files } = await readArchive(writeZip(entries, { zip64: true }), 'b');
    expect(files.map((f) => f.path).sort()).toEqual(['p0.md', 'p1.md', 'p2.md']);
  });

  it('skips absolute, backslashed and drive-letter entries with a warning naming the batch', async () => {
    const { files, warnings } = await readArchive(
      writeZip([
        { name: 'ok.md', data: '# OK' },
        { name: '/etc/cron.d/evil', data: 'x' },
        { name: 'a\\b.md', data: 'x' },
        { name: 'C:/evil.md', data: 'x' },
      ]),
      'batch "Guides"',
    );
    expect(files.map((f) => f.path)).toEqual(['ok.md']);
    expect(warnings).toHaveLength(3);
    for (const warning of warnings) expect(warning).toContain('batch "Guides"');
    expect(warnings.join('\n')).toMatch(/absolute/);
    expect(warnings.join('\n')).toMatch(/backslash/);
    expect(warnings.join('\n')).toMatch(/drive letter/);
  });

  it('never returns a path that climbs out, whatever the entry says', async () => {
    const { files } = await readArchive(
      writeZip([
        { name: 'ok.md', data: '# OK' },
        { name: '../evil.md', data: 'x' },
        { name: 'docs/../../../evil2.md', data: 'x' },
      ]),
      'b',
    );
    for (const file of files) {
      expect(file.path.split('/')).not.toContain('..');
      expect(file.path.startsWith('/')).toBe(false);
    }
  });

  it('skips symbolic links (jszip, platform UNIX)', async () => {
    const zip = new JSZip();
    zip.file('page.md', '# Page', { unixPermissions: 0o100644 });
    zip.file('link.md', '/etc/passwd', { unixPermissions: 0o120777 });
    const bytes = await zip.generateAsync({ type: 'uint8array', platform: 'UNIX' });
    const { files, warnings } = await readArchive(bytes, 'batch 7');
    expect(files.map((f) => f.path)).toEqual(['page.md']);
    expect(warnings).toEqual([expect.stringMatching(/batch 7.*link\.md.*symbolic link/)]);
  });

  it('skips symbolic links written by hand too', async () => {
    const { files, warnings } = await readArchive(
      writeZip([
        { name: 'a.md', data: '# A', unixMode: 0o100644 },
        { name: 'attachments/x.png', data: '../../../../etc/shadow', unixMode: 0o120755 },
      ]),
      'b',
    );
    expect(files.map((f) => f.path)).toEqual(['a.md']);
    expect(warnings).toHaveLength(1);
  });

  it('keeps one file per repeated name and says so', async () => {
    const { files, warnings } = await readArchive(
      writeZip([
        { name: 'page.md', data: 'first' },
        { name: 'other.md', data: 'other' },
        { name: 'page.md', data: 'second' },
      ]),
      'batch 3',
    );
    expect(files.filter((f) => f.path === 'page.md')).toHaveLength(1);
    expect(files).toHaveLength(2);
    expect(warnings).toEqual([expect.stringMatching(/batch 3.*1 entries.*repeat/)]);
  });

  it('stops a zip bomb at the per-entry limit with an ArchiveError naming the batch', async () => {
    const bomb = writeZip([{ name: 'bomb.bin', data: new Uint8Array(10 * MB) }]);
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const error = await rejection(readArchive(bomb, 'batch "Big page"', limits({ maxEntryBytes: MB, maxTotalBytes: 100 * MB })));
    expect(error.message).toContain('batch "Big page"');
    expect(error.message).toMatch(/per entry/);
    expect(error.message).toContain('bomb.bin');
    expect(error.code).toBe('ARCHIVE');
  });

  it('stops a zip bomb at the total limit', async () => {
    const bomb = writeZip([{ name: 'bomb.bin', data: new Uint8Array(10 * MB) }]);
    const error = await rejection(readArchive(bomb, 'batch 9', limits({ maxEntryBytes: 100 * MB, maxTotalBytes: MB })));
    expect(error.message).toContain('batch 9');
    expect(error.message).toMatch(/total/);
  });

  it('counts the total over all entries, each under the per-entry limit', async () => {
    const entries = [0, 1, 2].map((i) => ({ name: `part-${i}.bin`, data: new Uint8Array(400 * 1024) }));
    await expect(readArchive(writeZip(entries), 'b', limits({ maxEntryBytes: MB, maxTotalBytes: 3 * 400 * 1024 }))).resolves.toBeDefined();
    const error = await rejection(readArchive(writeZip(entries), 'batch 4', limits({ maxEntryBytes: MB, maxTotalBytes: MB })));
    expect(error.message).toMatch(/batch 4.*total.*part-2\.bin/);
  });

  it('accepts an entry exactly at the limit', async () => {
    const { files } = await readArchive(writeZip([{ name: 'x.bin', data: new Uint8Array(MB) }]), 'b', limits());
    expect(files[0]!.data.byteLength).toBe(MB);
  });

  it('does not count refused entries against the limits', async () => {
    const { files, warnings } = await readArchive(
      writeZip([{ name: '/abs/bomb.bin', data: new Uint8Array(4 * MB) }, { name: 'ok.md', data: '# OK' }]),
      'b',
      limits(),
    );
    expect(files.map((f) => f.path)).toEqual(['ok.md']);
    expect(warnings).toHaveLength(1);
  });

  it('refuses an archive that declares too many entries', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.md`, data: `# P${i}` }));
    await expect(readArchive(writeZip(entries), 'b', limits({ maxEntries: 6 }))).resolves.toBeDefined();
    const error = await rejection(readArchive(writeZip(entries), 'batch 5', limits({ maxEntries: 5 })));
    expect(error.message).toMatch(/batch 5.*6 entries.*limit of 5/);
  });

  it('refuses bytes that are not a zip', async () => {
    const error = await rejection(readArchive(new TextEncoder().encode('<html>502 Bad Gateway</html>'), 'batch 2'));
    expect(error.message).toMatch(/batch 2 is not a zip/);
    await rejection(readArchive(new Uint8Array(0), 'empty'));
  });

  it('refuses a zip whose central directory is damaged', async () => {
    const bytes = writeZip([{ name: 'a.md', data: '# A'.repeat(100) }]);
    const view = new DataView(bytes.buffer);
    const central = view.getUint32(bytes.byteLength - 22 + 16, true);
    view.setUint32(central, 0xdeadbeef, true);
    const error = await rejection(readArchive(bytes, 'batch 8'));
    expect(error.message).toMatch(/batch 8 is corrupt/);
  });

  it('refuses an entry whose data does not match its CRC', async () => {
    const error = await rejection(readArchive(writeZip([{ name: 'a.md', data: '# A', badCrc: true }]), 'batch 6'));
    expect(error.message).toContain('batch 6');
  });

  it('refuses a truncated archive', async () => {
    const bytes = writeZip([{ name: 'a.bin', data: crypto.getRandomValues(new Uint8Array(4096)) }]);
    const truncated = new Uint8Array([...bytes.subarray(0, 1000), ...bytes.subarray(bytes.byteLength - 22 - 46 - 5)]);
    await rejection(readArchive(truncated, 'batch 10'));
  });
});
