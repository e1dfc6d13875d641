/**
 * Serves attachments that are not images (PDFs, archives, office files) at stable URLs:
 * `{base}_attachments/{pageId}/{file name}`. In `astro dev` a middleware reads them from the raw
 * cache; after `astro build` they are copied into the output, so `astro preview` and any static
 * host serve them too. Images are not served this way: they go through Astro's image pipeline.
 * A frozen version's attachments (versions.ts) are served under its own folder,
 * `{base}{slug}/_attachments/…`, since the same page may hold different files in each version.
 */
import { createReadStream, existsSync } from 'node:fs';
import { cp, readdir } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

export const ATTACHMENTS_ROUTE = '_attachments';

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
}

/** Every collection's attachment folders under the loader's cache, its versions' included. */
async function attachmentRoots(cacheDir: string): Promise<AttachmentRoot[]> {
  const base = join(cacheDir, 'astro-loader-confluence');
  if (!existsSync(base)) return [];
  const roots: AttachmentRoot[] = [];
  for (const collection of await readdir(base)) {
    const dir = join(base, collection, 'attachments');
    if (existsSync(dir)) roots.push({ dir, slug: '' });
    const versions = join(base, collection, 'versions');
    if (!existsSync(versions)) continue;
    for (const slug of await readdir(versions)) {
      const versionDir = join(versions, slug, 'attachments');
      if (existsSync(versionDir)) roots.push({ dir: versionDir, slug });
    }
  }
  return roots;
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
            if (existsSync(file)) {
              const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
              res.setHeader('content-type', TYPES[ext] ?? 'application/octet-stream');
              createReadStream(file).pipe(res);
              return;
            }
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
          await cp(root.dir, join(outDir, root.slug, ATTACHMENTS_ROUTE), { recursive: true });
          copied++;
        }
        if (copied > 0) logger.info(`Copied ${copied} attachment folder(s) into ${outDir}`);
      },
    },
  };
}
