/**
 * The bundled demo space: this project's own documentation, written as Confluence pages would
 * come out of the exporter. It lives as files (demo/space.json, demo/pages/*.md,
 * demo/attachments/) so it can be read and edited like any docs.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { AttachmentSpec, PageSpec, SpaceSpec } from './space.ts';

export const DEMO_DIR = fileURLToPath(new URL('../demo/', import.meta.url));

/** A page of a space kept as files: its body in a file of its own, attachments as `A`. */
type PageFile<A> = Omit<PageSpec, 'body' | 'attachments'> & {
  /** Body file under the space's folder, e.g. `pages/home.md`. */
  bodyFile: string;
  attachments?: A[];
};

/**
 * A space kept as files: `space.json` (the space and its pages, each naming its `bodyFile`) in
 * `dir`, Markdown bodies beside it, and attachments made by `attachment` from their entries.
 */
export function spaceFromFiles<A>(dir: string, attachment: (entry: A, dir: string) => AttachmentSpec): SpaceSpec {
  const file = JSON.parse(readFileSync(join(dir, 'space.json'), 'utf8')) as Omit<SpaceSpec, 'pages'> & { pages: PageFile<A>[] };
  return {
    key: file.key,
    name: file.name,
    id: file.id,
    site: file.site,
    pages: file.pages.map(({ bodyFile, attachments, ...page }) => ({
      ...page,
      body: readFileSync(join(dir, bodyFile), 'utf8'),
      attachments: (attachments ?? []).map((entry) => attachment(entry, dir)),
    })),
  };
}

/**
 * A space kept as files in the demo's format (README, "The stand-in server"): `space.json` with
 * the space and its pages, each page naming its `bodyFile` and its attachments as
 * `{ fileName, mediaType, file }`, the files beside it.
 */
export function readSpaceDir(dir: string): SpaceSpec {
  return spaceFromFiles<{ fileName: string; mediaType: string; file: string }>(dir, (a, base) => ({
    fileName: a.fileName,
    mediaType: a.mediaType,
    data: new Uint8Array(readFileSync(join(base, a.file))),
  }));
}

/** Synchronous, so `start({ space: demoSpace() })` reads naturally. */
export function demoSpace(): SpaceSpec {
  return readSpaceDir(DEMO_DIR);
}

export async function loadDemoSpace(): Promise<SpaceSpec> {
  await readFile(`${DEMO_DIR}space.json`); // fail early with a clear ENOENT if the files are missing
  return demoSpace();
}
