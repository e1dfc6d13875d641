/**
 * Hostile export archives through the real pipeline. A small server on 127.0.0.1 stands in for
 * the export app: it asks the stand-in for the real archive and hands the loader a doctored one
 * (path tricks, symlinks, repeated names, zip bombs, bad base64, something that is not a zip).
 * Nothing may be written outside the cache folder, memory stays bounded, and every error or
 * warning names the batch.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createDeflateRaw, crc32 } from 'node:zlib';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
// A real PNG: the site links, rather than shows, a file whose bytes are no image (entries.ts).
import { solidPng } from '../../packages/confluence-stand-in/src/png.ts';
import { resolveOptions, type ConfluenceLoaderOptions } from '../../packages/astro-loader-confluence/src/config/options.ts';
import { runPipeline, type PipelineResult } from '../../packages/astro-loader-confluence/src/pipeline.ts';
import { standInOptions } from '../helpers/pipeline.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { writeZip, type RawEntry } from '../helpers/zip.ts';

const MARKER = `escape-${process.pid}-7c1e`;
const BATCH = 'the export of page 100 and its 2 descendants';

type Doctor = (entries: RawEntry[]) => { zipBase64?: string; body?: string; contentType?: string };

const space = {
  key: 'HOST',
  name: 'Hostile archives',
  id: '9100',
  site: 'hostile.atlassian.net',
  pages: [
    { id: '100', title: 'Home', position: 0, body: 'The home page.\n\n![Logo](attachments/logo.png)\n' },
    { id: '101', title: 'Guide', parentId: '100', position: 0, body: 'How to use it.' },
    { id: '102', title: 'Notes', parentId: '100', position: 1, body: 'Some notes.' },
  ].map((p) => ({ ...p, attachments: p.id === '100' ? [{ fileName: 'logo.png', mediaType: 'image/png', data: solidPng(2, 2, [0, 0, 0]) }] : [] })),
};

let standIn: StandIn;
let server: Server;
let exportBase: string;
let doctor: Doctor | undefined;

/** Deflates `size` zero bytes without ever holding them: the body of a zip bomb. */
async function zeroBomb(size: number): Promise<{ data: Uint8Array; size: number; crc: number }> {
  const chunk = Buffer.alloc(1 << 20);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  for (let written = 0; written < size; written += chunk.length) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { data: new Uint8Array(Buffer.concat(out)), size, crc };
}

beforeAll(async () => {
  standIn = await start({ port: 0, space });
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/bulkExport')) {
      res.writeHead(404).end();
      return;
    }
    const upstream = await fetch(`${standIn.exportUrl}/bulkExport`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body: Buffer.concat(chunks),
    });
    const answer = (await upstream.json()) as Record<string, unknown>;
    const zip = await JSZip.loadAsync(Buffer.from(answer.zipBase64 as string, 'base64'));
    const entries: RawEntry[] = [];
    for (const file of Object.values(zip.files)) if (!file.dir) entries.push({ name: file.name, data: await file.async('uint8array') });
    const doctored = doctor ? doctor(entries) : { zipBase64: Buffer.from(writeZip(entries)).toString('base64') };
    if (doctored.body !== undefined) {
      res.writeHead(200, { 'content-type': doctored.contentType ?? 'text/html' }).end(doctored.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...answer, zipBase64: doctored.zipBase64 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  exportBase = `http://127.0.0.1:${port}/export`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await standIn?.stop();
});

const tempDir = useTempDirs();

function allPaths(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((d) => relative(dir, join(d.parentPath, d.name)));
}

interface Run {
  result?: PipelineResult;
  error?: Error;
  warnings: string[];
  /** Everything under the folder around the project, relative to it. */
  around: string[];
  root: string;
}

/** Runs the real pipeline in `<outer>/project`, with its cache in `<outer>/project/cache`. */
async function run(doctored: Doctor | undefined, extra: Partial<ConfluenceLoaderOptions> = {}): Promise<Run> {
  const outer = await tempDir('hostile-');
  const root = join(outer, 'project');
  doctor = doctored;
  const warnings: string[] = [];
  const options = resolveOptions({ ...standInOptions(standIn), exportUrl: exportBase, retryBaseDelayMs: 1, ...extra });
  let result: PipelineResult | undefined;
  let error: Error | undefined;
  try {
    result = await runPipeline(options, {
      root,
      cacheDir: join(root, 'cache'),
      collection: 'docs',
      contentDir: join(root, 'site', 'content', 'docs'),
      base: '/',
      logger: { info: () => {}, warn: (message) => warnings.push(message) },
    });
  } catch (e) {
    error = e as Error;
  } finally {
    doctor = undefined;
  }
  return { result, error, warnings, around: allPaths(outer), root };
}

/** Nothing outside `<outer>/project/cache`, no symlink anywhere, no file named after the marker. */
function expectContained(r: Run) {
  for (const path of r.around) {
    expect(path === 'project' || path === 'project/cache' || path.startsWith('project/cache/'), path).toBe(true);
    expect(path).not.toContain(MARKER);
  }
  for (const path of r.around) expect(lstatSync(join(r.root, '..', path)).isSymbolicLink(), path).toBe(false);
  for (const dir of [tmpdir(), '/tmp', join(r.root, '..', '..')]) {
    expect(readdirSync(dir).filter((name) => name.includes(MARKER)), dir).toEqual([]);
  }
  expect(existsSync(`/tmp/${MARKER}-abs.md`)).toBe(false);
}

describe('hostile archives through the pipeline', () => {
  let clean: Run;
  beforeAll(async () => {
    clean = await run(undefined);
  });

  it('a faithful copy of the archive publishes the three pages (the baseline)', () => {
    expect(clean.error).toBeUndefined();
    expect(clean.result!.built!.entries.map((e) => e.data.confluence.id).sort()).toEqual(['100', '101', '102']);
    expect(clean.warnings).toEqual([]);
    expectContained(clean);
  });

  it.each([
    ['.. segments', `../../../../../../../../../../tmp/${MARKER}-dotdot.md`, 'climbs out'],
    ['.. inside a folder', `home/../../${MARKER}-inner-dotdot.md`, 'climbs out'],
    ['an absolute path', `/tmp/${MARKER}-abs.md`, 'absolute path'],
    ['backslashes', `home\\..\\..\\${MARKER}-backslash.md`, 'backslash'],
    ['a drive letter', `C:/${MARKER}-drive.md`, 'drive letter'],
    ['a NUL byte', `home/attachments/${MARKER}\0.png`, 'NUL byte'],
    ['a symbolic link', `home/attachments/${MARKER}-link.png`, 'symbolic link'],
  ] as const)('skips an entry with %s, keeps the real pages, and names the batch', async (_name, entryName, reason) => {
    const r = await run((entries) => ({
      zipBase64: Buffer.from(writeZip([...entries, {
        name: entryName,
        data: reason === 'symbolic link' ? '/etc/passwd' : `# Evil\n\n${MARKER}`,
        unixMode: reason === 'symbolic link' ? 0o120777 : undefined,
      }])).toString('base64'),
    }));
    expect(r.error).toBeUndefined();
    const pick = (run: Run) => run.result!.built!.entries.map((e) => ({ id: e.id, body: e.body }));
    expect(pick(r)).toEqual(pick(clean));
    expect(r.result!.outcome.state.pages['100']!.attachments).toEqual(['logo.png']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain(BATCH);
    expect(r.warnings[0]).toContain(reason);
    expectContained(r);
  });

  it('says so naming the batch when two entries have the same name, and publishes neither copy of the file as the page\'s own', async () => {
    // Every answer repeats the entry, the page's own export too: which bytes are the page's file
    // cannot be known, so the file is not served from this archive (fail closed).
    const r = await run((entries) => {
      const logo = entries.find((e) => e.name.endsWith('logo.png'))!;
      return { zipBase64: Buffer.from(writeZip([...entries, logo])).toString('base64') };
    });
    expect(r.error).toBeUndefined();
    expect(r.warnings[0]).toBe(`${BATCH}: the archive holds 1 entries whose names repeat others; only the last of each was kept.`);
    expect(r.warnings[1]).toMatch(new RegExp(`^In ${BATCH}, the archive cannot tell which page owns some attachments of page 100 .*exporting it alone`));
    expect(r.warnings[2]).toBe('the export of page 100: the archive holds 1 entries whose names repeat others; only the last of each was kept.');
    expect(r.warnings[3]).toMatch(/attachment "logo\.png" is not in the export; shown as a placeholder\./);
    expect(r.warnings).toHaveLength(4);
    const home = r.result!.built!.entries.find((e) => e.data.confluence.id === '100')!;
    expect(home.body).not.toMatch(/_attachments\/100\/logo\.png|\.\.\/.*logo\.png/);
    expect(home.body).toContain('<span class="confluence-placeholder confluence-missing-file" role="note">File not available: logo.png');
    expectContained(r);
  });

  it('refuses the whole archive when a .. entry shadows a real page', async () => {
    const r = await run((entries) => {
      const home = entries.find((e) => /^[^/]+\.md$/.test(e.name))!;
      return { zipBase64: Buffer.from(writeZip([...entries, { name: `x/../${home.name}`, data: `# Home\n\n${MARKER} replaced the home page` }])).toString('base64') };
    });
    if (r.error) {
      expect(r.error.name).toBe('ArchiveError');
      expect(r.error.message).toContain(BATCH);
    } else {
      // Or, equally safe: the impostor skipped and the real page kept.
      expect(r.result!.built!.entries.every((e) => !e.body.includes(MARKER))).toBe(true);
    }
    expectContained(r);
  });

  it('rejects a zip bomb early, naming the batch and the limit, with memory bounded', async () => {
    const gib = 1024 * 1024 * 1024;
    const bomb = await zeroBomb(gib);
    expect(bomb.data.byteLength).toBeLessThan(2 * 1024 * 1024);
    const before = process.resourceUsage().maxRSS;
    const r = await run((entries) => ({ zipBase64: Buffer.from(writeZip([...entries, { name: 'home/attachments/bomb.png', data: '', deflated: bomb }])).toString('base64') }), {
      archiveLimits: { maxEntryBytes: 1024 * 1024 },
    });
    const grownKiB = process.resourceUsage().maxRSS - before;
    expect(r.error?.name).toBe('ArchiveError');
    expect(r.error!.message).toContain(BATCH);
    expect(r.error!.message).toMatch(/inflates past 1048576 bytes per entry/);
    // Inflating the bomb would need a gibibyte; the rejection needs a few of its megabytes.
    expect(grownKiB).toBeLessThan(256 * 1024);
    expect(r.result).toBeUndefined();
    expectContained(r);
  });

  it('rejects an archive whose entries together pass the total limit', async () => {
    const mib = 1024 * 1024;
    const piece = await zeroBomb(mib);
    const r = await run((entries) => ({
      zipBase64: Buffer.from(writeZip([...entries, ...Array.from({ length: 8 }, (_, i) => ({ name: `home/attachments/part-${i}.bin`, data: '', deflated: piece }))])).toString('base64'),
    }), { archiveLimits: { maxEntryBytes: 2 * mib, maxTotalBytes: 4 * mib } });
    expect(r.error?.name).toBe('ArchiveError');
    expect(r.error!.message).toContain(BATCH);
    expect(r.error!.message).toMatch(/total of 4194304 bytes/);
    expectContained(r);
  });

  it('rejects an archive with more entries than allowed before unpacking any', async () => {
    const r = await run((entries) => ({
      zipBase64: Buffer.from(writeZip([...entries, ...Array.from({ length: 300 }, (_, i) => ({ name: `home/attachments/f-${i}.txt`, data: 'x' }))])).toString('base64'),
    }), { archiveLimits: { maxEntries: 100 } });
    expect(r.error?.name).toBe('ArchiveError');
    expect(r.error!.message).toContain(BATCH);
    expect(r.error!.message).toMatch(/over the limit of 100/);
    expectContained(r);
  });

  it.each([
    ['invalid base64', { zipBase64: '@@not*base64@@' }, /invalid base64/],
    ['base64 of something that is not a zip', { zipBase64: Buffer.from('just some text, no archive here').toString('base64') }, /not a ZIP archive/],
    ['a zip truncated half-way', undefined, /corrupt|not a zip/i],
  ] as const)('refuses %s, naming the batch', async (_name, answer, message) => {
    const r = await run((entries) => {
      if (answer) return answer;
      const whole = writeZip(entries);
      return { zipBase64: Buffer.from(whole.subarray(0, Math.floor(whole.length / 2))).toString('base64') };
    });
    expect(r.error?.name).toBe('ArchiveError');
    expect(r.error!.message).toMatch(message);
    expect(r.error!.message).toMatch(/page 100/);
    expectContained(r);
  });

  it('refuses an answer that is not JSON at all (a login page), naming the batch and the request', async () => {
    const r = await run(() => ({ body: '<html><body>Please log in</body></html>' }));
    expect(r.error).toBeDefined();
    expect(r.error!.message).toMatch(/not JSON/);
    expect(r.error!.message).toMatch(/page 100/);
    expect(r.error!.message).toContain(`${exportBase}/bulkExport`);
    expect(r.error!.message).not.toContain(standIn.accessToken);
    expectContained(r);
  });
});
