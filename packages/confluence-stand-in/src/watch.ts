/**
 * A space kept as files, followed while the stand-in serves it: an edit to `space.json` or to a
 * page's file becomes a new version of that page (and an added or removed entry a new or deleted
 * page), as an edit in Confluence would, so a loader's incremental sync (and `astro dev`) sees it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readSpaceDir } from './demo.ts';
import type { Space, SpaceSpec } from './space.ts';

export interface SpaceChanges {
  updated: string[];
  added: string[];
  deleted: string[];
}

/** Brings `space` to what `spec` says, page by page; unchanged pages keep their version. */
export function applySpec(space: Space, spec: SpaceSpec): SpaceChanges {
  const changes: SpaceChanges = { updated: [], added: [], deleted: [] };
  const wanted = new Map(spec.pages.map((page) => [page.id, page]));
  for (const page of space.all()) {
    if (!wanted.has(page.id)) {
      space.deletePage(page.id);
      changes.deleted.push(page.id);
    }
  }
  // Parents before children, so that an added child finds its parent.
  for (const page of spec.pages) {
    const current = space.get(page.id);
    if (!current) {
      space.addPage({ id: page.id, title: page.title, parentId: page.parentId, position: page.position, body: page.body, labels: page.labels, restricted: page.restricted, attachments: page.attachments });
      changes.added.push(page.id);
      continue;
    }
    if (current.title !== page.title || current.body !== page.body) {
      space.updatePage(page.id, { title: page.title, body: page.body });
      changes.updated.push(page.id);
    }
    if (current.parentId !== page.parentId || current.position !== page.position) space.movePage(page.id, page.parentId, page.position);
    if (JSON.stringify(current.labels) !== JSON.stringify(page.labels ?? [])) space.setLabels(page.id, page.labels ?? []);
    space.setRestricted(page.id, page.restricted ?? false);
  }
  return changes;
}

/**
 * Watches `dir` and applies every change to `space`, a moment after the last write of a burst
 * (editors save in several steps). A folder that does not read as a space is reported, not applied.
 */
export function watchSpaceDir(dir: string, space: Space, report: (changes: SpaceChanges | Error) => void, settleMs = 150): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      report(applySpec(space, readSpaceDir(dir)));
    } catch (error) {
      report(error as Error);
    }
  };
  const watcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(reload, settleMs);
  });
  watcher.on('close', () => clearTimeout(timer));
  return watcher;
}
