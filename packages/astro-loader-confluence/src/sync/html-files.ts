/**
 * Page HTML kept in files of the build cache rather than in Astro's data store (`entryHtml`,
 * config/options.ts). Astro serialises its whole store after every sync, even one that changed
 * nothing, and bundles it into the build as one module: at 8,000 pages that store is mostly HTML.
 * Here each page's sanitised HTML is one file named by its SHA-256, the entry keeps the name, and
 * the route middleware (starlight/sidebar-middleware.ts) renders the file in place of the entry's
 * content. A file is read back only if its bytes still hash to its name, so a damaged cache fails
 * the build instead of publishing something the sanitising pass did not produce.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfluenceLoaderError } from '../errors.ts';
import { writeFileAtomic } from './fs-atomic.ts';
import { rawCacheDir } from './raw-cache.ts';

/** The key of `rendered.metadata` that names an entry's HTML file. */
export const HTML_FILE = 'confluenceHtmlFile';

const NAME = /^[0-9a-f]{64}$/;

const FIX = 'Delete the build cache (node_modules/.astro, or your cacheDir) and build again; pages rendered on demand need entryHtml: \'store\'.';

/** The folder of a collection's HTML files, beside its raw cache. */
export function htmlDir(cacheDir: string, collection: string): string {
  return join(rawCacheDir(cacheDir, collection), 'html');
}

/** The file name an entry's stored `rendered` points at, or undefined for HTML kept in the store. */
export function htmlFileOf(entry: { rendered?: { metadata?: Record<string, unknown> } } | undefined): string | undefined {
  const name = entry?.rendered?.metadata?.[HTML_FILE];
  return typeof name === 'string' ? name : undefined;
}

/** Writes `html` under its hash (once: the same HTML is the same file) and returns the name. */
export async function writeHtmlFile(dir: string, html: string): Promise<string> {
  const name = createHash('sha256').update(html).digest('hex');
  const path = join(dir, `${name}.html`);
  if (!existsSync(path)) await writeFileAtomic(path, html);
  return name;
}

/** The names of the HTML files present, to tell cheaply which entries lost theirs. */
export async function presentHtmlFiles(dir: string): Promise<Set<string>> {
  const files = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    if (error.code === 'ENOTDIR') {
      throw new ConfluenceLoaderError(`The folder of page HTML in the build cache (${dir}) is not a folder.`, { cause: error }, 'HTML_FILE', 'HtmlFileError', FIX);
    }
    throw error;
  });
  return new Set(files.filter((file) => file.endsWith('.html')).map((file) => file.slice(0, -'.html'.length)));
}

/** Deletes the HTML files no entry names any more. */
export async function pruneHtmlFiles(dir: string, named: Set<string>): Promise<void> {
  for (const name of await presentHtmlFiles(dir)) {
    if (!named.has(name)) await rm(join(dir, `${name}.html`), { force: true });
  }
}

/** The HTML of the file `name`, checked against its name. */
export async function readHtmlFile(dir: string, name: string): Promise<string> {
  if (!NAME.test(name)) {
    throw new ConfluenceLoaderError('A page names an HTML file that is not a content hash, so the data store was not written by this loader.', {}, 'HTML_FILE', 'HtmlFileError', FIX);
  }
  let html: string;
  try {
    html = await readFile(join(dir, `${name}.html`), 'utf8');
  } catch (error) {
    throw new ConfluenceLoaderError(`The HTML of a page is missing from the build cache (${name.slice(0, 12)}…).`, { cause: error }, 'HTML_FILE', 'HtmlFileError', FIX);
  }
  if (createHash('sha256').update(html).digest('hex') !== name) {
    throw new ConfluenceLoaderError(`The HTML of a page in the build cache (${name.slice(0, 12)}…) is not what the loader wrote, so it is not published.`, {}, 'HTML_FILE', 'HtmlFileError', FIX);
  }
  return html;
}
