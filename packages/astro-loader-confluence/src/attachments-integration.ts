/**
 * Serves attachments that are not images (PDFs, archives, office files) at stable URLs:
 * `{base}_attachments/{pageId}/{file name}`. In `astro dev` a middleware reads them from the raw
 * cache; after `astro build` they are copied into the output, so `astro preview` and any static
 * host serve them too. Images are not served this way: they go through Astro's image pipeline.
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

/** Every collection's attachment folders under the loader's cache. */
async function attachmentRoots(cacheDir: string): Promise<string[]> {
  const base = join(cacheDir, 'astro-loader-confluence');
  if (!existsSync(base)) return [];
  const roots: string[] = [];
  for (const collection of await readdir(base)) {
    const dir = join(base, collection, 'attachments');
    if (existsSync(dir)) roots.push(dir);
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
        const prefix = `${base}${ATTACHMENTS_ROUTE}/`;
        server.middlewares.use(async (req, res, next) => {
          const url = req.url?.split('?')[0] ?? '';
          if (!url.startsWith(prefix)) return next();
          const relative = normalize(decodeURIComponent(url.slice(prefix.length)));
          if (relative.startsWith('..') || relative.includes(`..${sep}`)) return next();
          for (const root of await attachmentRoots(cacheDir)) {
            const file = join(root, relative);
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
      'astro:build:done': async ({ dir, logger }) => {
        const out = join(fileURLToPath(dir), ATTACHMENTS_ROUTE);
        let copied = 0;
        for (const root of await attachmentRoots(cacheDir)) {
          await cp(root, out, { recursive: true });
          copied++;
        }
        if (copied > 0) logger.info(`Copied attachments to ${out}`);
      },
    },
  };
}
