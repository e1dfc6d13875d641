/**
 * The bundled demo space: this project's own documentation, written as Confluence pages would
 * come out of the exporter. It lives as files (demo/space.json, demo/pages/*.md,
 * demo/attachments/) so it can be read and edited like any docs.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PageSpec, SpaceSpec } from './space.ts';

export const DEMO_DIR = fileURLToPath(new URL('../demo/', import.meta.url));

interface DemoPageFile extends Omit<PageSpec, 'body' | 'attachments'> {
  /** Body file under demo/, e.g. `pages/home.md`. */
  bodyFile: string;
  attachments?: Array<{ fileName: string; mediaType: string; file: string }>;
}

interface DemoSpaceFile extends Omit<SpaceSpec, 'pages'> {
  pages: DemoPageFile[];
}

/** Synchronous, so `start({ space: demoSpace() })` reads naturally. */
export function demoSpace(): SpaceSpec {
  const file = JSON.parse(readFileSync(`${DEMO_DIR}space.json`, 'utf8')) as DemoSpaceFile;
  return {
    key: file.key,
    name: file.name,
    id: file.id,
    site: file.site,
    pages: file.pages.map(({ bodyFile, attachments, ...page }) => ({
      ...page,
      body: readFileSync(`${DEMO_DIR}${bodyFile}`, 'utf8'),
      attachments: (attachments ?? []).map((a) => ({
        fileName: a.fileName,
        mediaType: a.mediaType,
        data: new Uint8Array(readFileSync(`${DEMO_DIR}${a.file}`)),
      })),
    })),
  };
}

export async function loadDemoSpace(): Promise<SpaceSpec> {
  await readFile(`${DEMO_DIR}space.json`); // fail early with a clear ENOENT if the files are missing
  return demoSpace();
}
