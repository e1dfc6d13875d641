import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawCache, rawCacheDir, safeName } from '../../../packages/astro-loader-confluence/src/sync/raw-cache.ts';
import { useTempDirs } from '../../helpers/tmp.ts';

const tempDir = useTempDirs();
const inside = (root: string, path: string) => {
  const rel = relative(root, resolve(path));
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
};

describe('safeName', () => {
  it.each(['..', '.', '../x', '../../etc/passwd', '/abs', 'a/b', 'a\\b', '..\\..\\x', 'nul\0byte', '', '.hidden', '...'])(
    'turns %j into one harmless path segment',
    (name) => {
      const safe = safeName(name);
      expect(safe).not.toMatch(/[/\\\0]/);
      expect(safe).not.toMatch(/^\./);
      expect(safe.length).toBeGreaterThan(0);
    },
  );

  it('leaves ordinary ids and file names alone', () => {
    for (const name of ['123456', 'path:home', 'diagram v2.png', 'Über.pdf', 'a.b.c']) expect(safeName(name)).toBe(name);
  });
});

describe('RawCache', () => {
  it('keeps every path inside its folder, whatever the id or file name', async () => {
    const root = await tempDir('cache-');
    const cache = new RawCache(root);
    for (const id of ['..', '../..', '/etc', 'a/../../b', '']) {
      expect(inside(root, cache.pagePath(id))).toBe(true);
      expect(inside(root, cache.attachmentDir(id))).toBe(true);
      for (const file of ['..', '../../../x', '/etc/passwd', 'ok.png']) expect(inside(cache.attachmentDir(id), cache.attachmentPath(id, file))).toBe(true);
    }
    await cache.writeAttachment('..', '../../escape.txt', new TextEncoder().encode('x'));
    expect(await readdir(join(root, '..')).then((names) => names.includes('escape.txt'))).toBe(false);
    expect(await readdir(root)).toEqual(['attachments']);
  });

  it('writes and reads pages and attachments', async () => {
    const cache = new RawCache(await tempDir('cache-'));
    expect(cache.hasPage('1')).toBe(false);
    await cache.writePage('1', '# One\n');
    await cache.writeAttachment('1', 'a b.png', new Uint8Array([1, 2]));
    expect(cache.hasPage('1')).toBe(true);
    expect(await cache.readPage('1')).toBe('# One\n');
    expect(cache.hasAttachment('1', 'a b.png')).toBe(true);
    expect([...(await readFile(cache.attachmentPath('1', 'a b.png')))]).toEqual([1, 2]);
    expect(cache.hasAttachment('2', 'a b.png')).toBe(false);
  });

  it('keeps two pages\' attachments of the same name apart', async () => {
    const cache = new RawCache(await tempDir('cache-'));
    await cache.writeAttachment('1', 'image.png', new TextEncoder().encode('one'));
    await cache.writeAttachment('2', 'image.png', new TextEncoder().encode('two'));
    expect(await readFile(cache.attachmentPath('1', 'image.png'), 'utf8')).toBe('one');
    expect(await readFile(cache.attachmentPath('2', 'image.png'), 'utf8')).toBe('two');
  });

  it('overwrites a page without leaving temporary files', async () => {
    const cache = new RawCache(await tempDir('cache-'));
    await cache.writePage('1', 'old');
    await cache.writePage('1', 'new');
    expect(await cache.readPage('1')).toBe('new');
    expect(await readdir(join(cache.root, 'pages'))).toEqual(['1.md']);
  });

  it('prunes pages and attachment folders not kept, and stray temporary files', async () => {
    const cache = new RawCache(await tempDir('cache-'));
    for (const id of ['1', '2', '3', 'path:home/a']) {
      await cache.writePage(id, `# ${id}`);
      await cache.writeAttachment(id, 'f.png', new Uint8Array([0]));
    }
    await writeFile(join(cache.root, 'pages', '1.md.abc123.tmp'), 'half');
    const removed = await cache.prune(new Set(['1', 'path:home/a']));
    expect(removed).toBe(4);
    expect((await readdir(join(cache.root, 'pages'))).sort()).toEqual(['1.md', `${safeName('path:home/a')}.md`].sort());
    expect((await readdir(join(cache.root, 'attachments'))).sort()).toEqual(['1', safeName('path:home/a')].sort());
    expect(cache.hasAttachment('1', 'f.png')).toBe(true);
  });


  it('tells which pages are cached with one listing, by the same safe names the files have', async () => {
    const cache = new RawCache(await tempDir('cache-'));
    expect(await cache.cachedPages(['1'])).toEqual(new Set());
    for (const id of ['1', 'path:home/a', '../up']) await cache.writePage(id, `# ${id}`);
    // A temporary file of an interrupted write is not the page; an attachment is not either.
    await writeFile(join(cache.root, 'pages', '2.md.abc123.tmp'), 'half');
    await cache.writeAttachment('3', '3.md', new Uint8Array([0]));
    const asked = ['1', '2', '3', 'path:home/a', '../up', 'path:home'];
    expect(await cache.cachedPages(asked)).toEqual(new Set(['1', 'path:home/a', '../up']));
    for (const id of asked) expect((await cache.cachedPages([id])).has(id)).toBe(cache.hasPage(id));
  });
  it('prunes an empty or missing cache without failing', async () => {
    const root = await tempDir('cache-');
    expect(await new RawCache(join(root, 'never-written')).prune(new Set())).toBe(0);
    await mkdir(join(root, 'pages'));
    expect(await new RawCache(root).prune(new Set(['1']))).toBe(0);
  });

  it('places the cache under Astro\'s cacheDir, per collection', () => {
    expect(rawCacheDir('/project/node_modules/.astro', 'docs')).toBe(join('/project/node_modules/.astro', 'astro-loader-confluence', 'docs'));
    expect(rawCacheDir('/c', 'a')).not.toBe(rawCacheDir('/c', 'b'));
  });
});
