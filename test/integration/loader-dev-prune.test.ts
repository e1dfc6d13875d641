/**
 * With entryHtml: 'file', a load prunes the HTML files no entry names. In `astro dev` the server
 * goes on rendering the store it last read until it picks up the one a refresh wrote, so the files
 * of that store stay one more load (loader.ts, ServedHtml): a request in between must not find its
 * page's file gone. A build prunes at once. The loader runs here on Astro's own data store and
 * Markdown renderer, against the stand-in over HTTP, without a whole Astro build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { createMarkdownProcessor, parseFrontmatter } from '@astrojs/markdown-remark';
// Astro's own data store (not exported): what decides whether a set with an unchanged digest counts.
import { MutableDataStore } from '../../node_modules/astro/dist/content/mutable-data-store.js';
import type { LoaderContext } from 'astro/loaders';
import { confluenceLoader } from '../../packages/astro-loader-confluence/src/index.ts';
import { standInOptions } from '../helpers/pipeline.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const PAGE_ID = '4986372609'; // Installation

async function loaderContext(root: string, dev: boolean): Promise<LoaderContext> {
  const store = new MutableDataStore();
  const renderer = await createMarkdownProcessor();
  const logger = {
    label: 'confluence',
    info: () => {},
    warn: () => {},
    error: () => {},
    debug: () => {},
    fork: () => logger,
  };
  const context = {
    collection: 'docs',
    store: store.scopedStore('docs'),
    meta: store.metaStore('docs'),
    logger,
    config: {
      root: pathToFileURL(`${root}/`),
      srcDir: pathToFileURL(join(root, 'src/')),
      cacheDir: pathToFileURL(join(root, '.cache/')),
      base: '/',
      build: { assets: '_astro', assetsPrefix: undefined },
    },
    parseData: async ({ data }: { data: Record<string, unknown> }) => data,
    // As Astro's content layer renders an entry (content-layer.js, #processMarkdown).
    renderMarkdown: async (content: string, options?: { fileURL?: URL }) => {
      const { frontmatter, content: body } = parseFrontmatter(content);
      const { code, metadata } = await renderer.render(body, { frontmatter, fileURL: options?.fileURL });
      return { html: code, metadata };
    },
    generateDigest: (data: unknown) => createHash('sha256').update(typeof data === 'string' ? data : JSON.stringify(data)).digest('hex').slice(0, 16),
    // Only the dev server hands loaders a watcher; the loader starts no refresh with devRefreshMs: 0.
    ...(dev ? { watcher: {} } : {}),
  };
  return context as unknown as LoaderContext;
}

describe('pruning HTML files in dev and in a build', () => {
  let standIn: StandIn;
  const tempDir = useTempDirs();
  beforeAll(async () => {
    standIn = await start({ port: 0 });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  const edit = async (body: string) => {
    const response = await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}`, { method: 'PUT', body: JSON.stringify({ body }) });
    expect(response.status).toBe(200);
  };

  for (const dev of [true, false]) {
    it(`${dev ? 'in dev keeps the files of the store the server may still render for one more load' : 'in a build prunes a replaced file at once'}`, async () => {
      const root = await tempDir('loader-prune-');
      const htmlDir = join(root, '.cache', 'astro-loader-confluence', 'docs', 'html');
      const holding = (text: string) => (existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => readFileSync(join(htmlDir, name), 'utf8').includes(text)) : []);
      const context = await loaderContext(root, dev);
      const loader = confluenceLoader({ ...standInOptions(standIn), entryHtml: 'file', devRefreshMs: 0 });
      const first = `FIRST${dev}MARKER`;
      const second = `SECOND${dev}MARKER`;

      await edit(`${first} first edit.\n`);
      await loader.load(context);
      expect(holding(first)).toHaveLength(1);
      const entry = () => [...context.store.values()].find((e) => (e.data as { confluence: { id: string } }).confluence.id === PAGE_ID)!;
      const firstFile = entry().rendered!.metadata!.confluenceHtmlFile;
      expect(holding(first)).toEqual([`${firstFile}.html`]);

      await edit(`${second} second edit.\n`);
      await loader.load(context);
      expect(entry().rendered!.metadata!.confluenceHtmlFile).not.toBe(firstFile);
      expect(holding(second)).toHaveLength(1);
      // The store the dev server read names the first file: it stays until the next load.
      expect(holding(first)).toHaveLength(dev ? 1 : 0);

      // Nothing changed: in dev this load is where the replaced file goes.
      await loader.load(context);
      expect(holding(first)).toEqual([]);
      expect(holding(second)).toHaveLength(1);

      // Restricted: its file is gone after one more load in dev, at once in a build.
      const restricted = await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}/restriction`, { method: 'PUT', body: JSON.stringify({ restricted: true }) });
      expect(restricted.status).toBe(200);
      try {
        await loader.load(context);
        expect(entry()).toBeUndefined();
        expect(holding(second)).toHaveLength(dev ? 1 : 0);
        if (dev) {
          // The dev server stopped before its next refresh: a build on the same cache that changes
          // nothing still removes the restricted page's file.
          const { watcher: _dev, ...buildContext } = context;
          await confluenceLoader({ ...standInOptions(standIn), entryHtml: 'file', devRefreshMs: 0 }).load(buildContext as LoaderContext);
          expect(holding(second)).toEqual([]);
        }
        await loader.load(context);
        expect(holding(second)).toEqual([]);
      } finally {
        await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}/restriction`, { method: 'PUT', body: JSON.stringify({ restricted: false }) });
      }
    });
  }
});
