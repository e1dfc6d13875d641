/**
 * Serves attachments that are not images (PDFs, archives, office files) at stable URLs:
 * `{base}_attachments/{pageId}/{file name}`. In `astro dev` a middleware reads them from the raw
 * cache; after `astro build` they are copied into the output, so `astro preview` and any static
 * host serve them too. Images are not served this way: they go through Astro's image pipeline.
 * A frozen version's attachments (versions.ts) are served under its own folder,
 * `{base}{slug}/_attachments/…`, since the same page may hold different files in each version.
 *
 * Attachments are passive: an SVG is published sanitised (rewrite/svg-document.ts), and files a
 * browser opens as a live document (`.html`, `.xml`, `.js`, …) are left out unless the site set
 * `publishActiveAttachments` (the loader says so in the collection's attachment policy). The dev
 * server sends the headers docs/security.md asks static hosts to send for `/_attachments/*`.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { ACTIVE_ATTACHMENT } from '../rewrite/attachments.ts';
import { sanitizeSvgDocument } from '../rewrite/svg-document.ts';
import { readAttachmentPolicy, type AttachmentPolicy } from './attachment-policy.ts';

export const ATTACHMENTS_ROUTE = '_attachments';

/**
 * Headers for every served attachment: never sniffed into another type, never a live document of
 * the site (no script, no plugin, no form, sandboxed), downloaded rather than opened when
 * navigated to. Images shown by `<img>` are unaffected: these apply to documents only.
 */
export const ATTACHMENT_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
  'Content-Disposition': 'attachment',
};

const TYPES: Record<string, string> = {
  pdf: 'application/pdf', zip: 'application/zip', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  gif: 'image/gif', svg: 'image/svg+xml', webp: 'image/webp', txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8', json: 'application/json', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

interface AttachmentRoot {
  /** Folder holding `<pageId>/<file>`. */
  dir: string;
  /** `''` for the live docs, else the version's slug: the URL folder it is served under. */
  slug: string;
  policy: AttachmentPolicy;
}

/** Every collection's attachment folders under the loader's cache, its versions' included. */
async function attachmentRoots(cacheDir: string): Promise<AttachmentRoot[]> {
  const base = join(cacheDir, 'astro-loader-confluence');
  if (!existsSync(base)) return [];
  const roots: AttachmentRoot[] = [];
  for (const collection of await readdir(base)) {
    const collectionDir = join(base, collection);
    const policy = readAttachmentPolicy(collectionDir);
    const dir = join(collectionDir, 'attachments');
    if (existsSync(dir)) roots.push({ dir, slug: '', policy });
    const versions = join(collectionDir, 'versions');
    if (!existsSync(versions)) continue;
    for (const slug of await readdir(versions)) {
      const versionDir = join(versions, slug, 'attachments');
      if (existsSync(versionDir)) roots.push({ dir: versionDir, slug, policy });
    }
  }
  return roots;
}

/**
 * The bytes to publish for an attachment file: as they are, sanitised (SVG), or none (an active
 * document the site did not opt into, or an SVG without any drawing in it).
 */
export async function publishedBytes(file: string, policy: AttachmentPolicy): Promise<Uint8Array | string | undefined> {
  if (ACTIVE_ATTACHMENT.test(file) && !policy.publishActive) return undefined;
  if (/\.svg$/i.test(file)) return sanitizeSvgDocument(await readFile(file, 'utf8'));
  return readFile(file);
}

export function attachmentsIntegration(): AstroIntegration {
  let cacheDir = '';
  let base = '/';
  return {
    name: 'astro-loader-confluence/attachments',
    hooks: {
      'astro:config:setup': ({ config, updateConfig }) => {
        cacheDir = fileURLToPath(config.cacheDir);
        base = config.base.endsWith('/') ? config.base : `${config.base}/`;
        // The loader is TypeScript run from source; Vite must transform it rather than leave it to Node.
        updateConfig({ vite: { ssr: { noExternal: ['astro-loader-confluence'] } } });
      },
      'astro:server:setup': ({ server }) => {
        server.middlewares.use(async (req, res, next) => {
          const url = req.url?.split('?')[0] ?? '';
          if (!url.startsWith(base) || !url.includes(`/${ATTACHMENTS_ROUTE}/`)) return next();
          for (const root of await attachmentRoots(cacheDir)) {
            const prefix = `${base}${root.slug ? `${root.slug}/` : ''}${ATTACHMENTS_ROUTE}/`;
            if (!url.startsWith(prefix)) continue;
            const relative = normalize(decodeURIComponent(url.slice(prefix.length)));
            if (relative.startsWith('..') || relative.includes(`..${sep}`)) continue;
            const file = join(root.dir, relative);
            if (!existsSync(file)) continue;
            const bytes = await publishedBytes(file, root.policy);
            if (bytes === undefined) break;
            const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
            res.setHeader('content-type', TYPES[ext] ?? 'application/octet-stream');
            for (const [name, value] of Object.entries(ATTACHMENT_HEADERS)) res.setHeader(name, value);
            res.end(bytes);
            return;
          }
          next();
        });
      },
      // Before any `astro:build:done` hook, so that link checkers running there (starlight-links-
      // validator) find the files, whichever order the plugins are listed in.
      'astro:build:generated': async ({ dir, logger }) => {
        const outDir = fileURLToPath(dir);
        let copied = 0;
        for (const root of await attachmentRoots(cacheDir)) {
          // A version left in the cache but no longer built has no pages here: skip its files.
          if (root.slug && !existsSync(join(outDir, root.slug))) continue;
          copied += await publishRoot(root, join(outDir, root.slug, ATTACHMENTS_ROUTE), logger);
        }
        if (copied > 0) logger.info(`Published ${copied} attachment file(s) into ${outDir}`);
      },
    },
  };
}

/** Copies one attachment folder (`<pageId>/<file>`) into the output, file by file as {@link publishedBytes} says. */
async function publishRoot(root: AttachmentRoot, target: string, logger: AstroIntegrationLogger): Promise<number> {
  let published = 0;
  for (const page of await readdir(root.dir, { withFileTypes: true })) {
    if (!page.isDirectory()) continue;
    for (const entry of await readdir(join(root.dir, page.name), { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const from = join(root.dir, page.name, entry.name);
      const to = join(target, page.name, entry.name);
      await mkdir(join(target, page.name), { recursive: true });
      if (!/\.svg$/i.test(entry.name) && !ACTIVE_ATTACHMENT.test(entry.name)) {
        await copyFile(from, to);
        published++;
        continue;
      }
      const bytes = await publishedBytes(from, root.policy);
      if (bytes === undefined) {
        // The loader already named the page and file when a page linked to it.
        logger.debug(`Left out attachment ${page.name}/${entry.name}`);
        continue;
      }
      await writeFile(to, bytes);
      published++;
    }
  }
  return published;
}
