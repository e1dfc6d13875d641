/**
 * Snapshots: a folder holding the exported Markdown and attachments of every published page, plus a
 * manifest (tree, versions, time, tool version). A site can be built from one offline, identical to
 * the live build of the same content. Only published pages go in, so a snapshot can be committed:
 * restricted and excluded pages never reach it. A snapshot is written to a temporary folder and
 * renamed into place, so a failed write leaves the previous snapshot whole.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { replaceDirAtomic, writeFileAtomic } from '../sync/fs-atomic.ts';
import type { Discovery, FetchedPage, PageSource } from '../sync/page-source.ts';
import { safeName, type RawCache } from '../sync/raw-cache.ts';
import { buildSpaceTree } from '../discover/space-tree.ts';
import type { SyncOutcome } from '../sync/sync.ts';
import type { ConfluencePage } from '../types.ts';
import { VERSION } from '../version.ts';

export const MANIFEST = 'manifest.json';

export interface SnapshotManifest {
  format: 1;
  tool: string;
  takenAt: string;
  source: { site?: string; spaceKey?: string; rootPageId?: string };
  /** Published pages only, and the folders they sit in (`kind: 'folder'`). */
  pages: ConfluencePage[];
  roots: string[];
  /** Export calls that produced the content of this snapshot (counts, for the record). */
  exportCalls: number;
  /** The app's `exportId` of each of those calls, as recorded in its Export History. */
  exportIds?: string[];
  /** Page id → attachment file names. */
  attachments: Record<string, string[]>;
}

/** Write a snapshot of a finished sync from the raw cache. */
export async function writeSnapshot(
  dir: string,
  outcome: SyncOutcome,
  cache: RawCache,
  source: SnapshotManifest['source'],
  /**
   * Each page's Markdown as the snapshot keeps it: the pipeline removes every URL of a page or file
   * that is not published (rewrite/scrub.ts), since the raw export still holds them.
   */
  scrub: (pageId: string, markdown: string) => string,
  now = new Date(),
): Promise<SnapshotManifest> {
  const target = resolve(dir);
  const { tree } = outcome.discovery;
  const published = [...outcome.decision.published];
  const manifest: SnapshotManifest = {
    format: 1,
    tool: `astro-loader-confluence@${VERSION}`,
    takenAt: now.toISOString(),
    source,
    pages: [...published, ...outcome.decision.folders].map((id) => {
      const page = tree.pages.get(id)!;
      const visible = (parent: string) => outcome.decision.published.has(parent) || outcome.decision.folders.has(parent);
      const kept: ConfluencePage = { id, title: page.title, position: page.position, version: page.version };
      if (page.kind === 'folder') kept.kind = 'folder';
      if (page.parentId && visible(page.parentId)) {
        kept.parentId = page.parentId;
        if (page.parentType) kept.parentType = page.parentType;
      }
      return kept;
    }),
    roots: tree.roots.filter((id) => outcome.decision.published.has(id) || outcome.decision.folders.has(id)),
    exportCalls: outcome.exportCalls,
    exportIds: outcome.exportIds,
    attachments: {},
  };
  await replaceDirAtomic(target, async (temp) => {
    await mkdir(join(temp, 'pages'), { recursive: true });
    for (const id of published) {
      await writeFile(join(temp, 'pages', basename(cache.pagePath(id))), scrub(id, await cache.readPage(id)));
      const names = outcome.state.pages[id]?.attachments ?? [];
      const present = names.filter((name) => cache.hasAttachment(id, name));
      if (present.length > 0) {
        manifest.attachments[id] = present;
        for (const name of present) {
          const from = cache.attachmentPath(id, name);
          const to = join(temp, 'attachments', basename(cache.attachmentDir(id)), basename(from));
          await mkdir(dirname(to), { recursive: true });
          await cp(from, to);
        }
      }
    }
    await writeFileAtomic(join(temp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  return manifest;
}

export async function readManifest(dir: string): Promise<SnapshotManifest> {
  const file = join(dir, MANIFEST);
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as SnapshotManifest;
  } catch (error) {
    throw new ConfigError(`${file} is missing or not valid JSON, so ${dir} is not a snapshot.`, {
      hint: 'Point CONFLUENCE_SNAPSHOT at a folder written by `confluence-export snapshot <dir>`.',
      cause: error,
    });
  }
  if (manifest.format !== 1 || !Array.isArray(manifest.pages)) {
    throw new ConfigError(`${file} has an unknown format.`, { hint: 'Take the snapshot again with this version of the loader.' });
  }
  return manifest;
}

/** The newest snapshot under `dir` (by the manifest's `takenAt`), or undefined. */
export async function newestSnapshot(dir: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  let best: { path: string; takenAt: string } | undefined;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name.startsWith('.') || !(await stat(path)).isDirectory() || !existsSync(join(path, MANIFEST))) continue;
    // One damaged snapshot must not hide the others: skip it.
    const manifest = await readManifest(path).catch(() => undefined);
    if (manifest && (!best || manifest.takenAt > best.takenAt)) best = { path, takenAt: manifest.takenAt };
  }
  return best?.path;
}

/** A page source reading a snapshot: no network, no credentials. */
export function createSnapshotSource(dir: string, manifest: SnapshotManifest): PageSource {
  return {
    label: `snapshot ${dir} (taken ${manifest.takenAt})`,
    async discover(): Promise<Discovery> {
      const tree = buildSpaceTree(manifest.pages, { spaceKey: manifest.source.spaceKey });
      return { tree, restricted: new Set(), labelled: new Set(), fromRest: true, warnings: [] };
    },
    async fetch(ids, _discovery, _published, onPage, onProgress) {
      let done = 0;
      for (const id of ids) {
        const page: FetchedPage = {
          id,
          markdown: await readFile(join(dir, 'pages', `${safeName(id)}.md`), 'utf8'),
          attachments: [],
        };
        for (const fileName of manifest.attachments[id] ?? []) {
          page.attachments.push({ fileName, data: await readFile(join(dir, 'attachments', safeName(id), safeName(fileName))) });
        }
        await onPage(page);
        onProgress?.({ batchesDone: ++done, batchesTotal: ids.size, pagesDone: done });
      }
      return { exportCalls: 0, exportIds: [] };
    },
  };
}
