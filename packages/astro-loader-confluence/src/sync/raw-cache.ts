/**
 * The raw cache: each published page's Markdown as exported and its attachments, kept on disk
 * between builds (beside Astro's data store) so that an unchanged page is never exported again and
 * links can be rewritten anew when other pages move. Attachments live here too, one folder per
 * page id, so two pages' files of the same name never collide; the site serves them from here.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fs-atomic.ts';

/** The cache folder of a collection, under Astro's `cacheDir`. */
export function rawCacheDir(cacheDir: string, collection: string): string {
  return join(cacheDir, 'astro-loader-confluence', collection);
}

export class RawCache {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pagePath(id: string): string {
    return join(this.root, 'pages', `${safeName(id)}.md`);
  }

  attachmentDir(id: string): string {
    return join(this.root, 'attachments', safeName(id));
  }

  attachmentPath(id: string, fileName: string): string {
    return join(this.attachmentDir(id), safeName(fileName));
  }

  hasPage(id: string): boolean {
    return existsSync(this.pagePath(id));
  }

  /**
   * Which of `ids` have their Markdown in the cache, read with one listing of the folder: at
   * 8,000 pages that is a few milliseconds, where a check per page took 60.
   */
  async cachedPages(ids: Iterable<string>): Promise<Set<string>> {
    let names: Set<string>;
    try {
      names = new Set(await readdir(join(this.root, 'pages')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw error;
    }
    const cached = new Set<string>();
    for (const id of ids) if (names.has(`${safeName(id)}.md`)) cached.add(id);
    return cached;
  }

  hasAttachment(id: string, fileName: string): boolean {
    return existsSync(this.attachmentPath(id, fileName));
  }

  readPage(id: string): Promise<string> {
    return readFile(this.pagePath(id), 'utf8');
  }

  async writePage(id: string, markdown: string): Promise<void> {
    await writeFileAtomic(this.pagePath(id), markdown);
  }

  async writeAttachment(id: string, fileName: string, data: Uint8Array): Promise<void> {
    await writeFileAtomic(this.attachmentPath(id, fileName), data);
  }

  /** Moves a downloaded file into place (a copy when it lies on another file system). */
  async moveAttachment(id: string, fileName: string, from: string): Promise<void> {
    const to = this.attachmentPath(id, fileName);
    await mkdir(this.attachmentDir(id), { recursive: true });
    try {
      await rename(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(from, to);
      await rm(from, { force: true });
    }
  }

  /**
   * A cache of the same shape in a staging folder: a sync writes what it fetches there, and only a
   * successful sync moves it into place (`commit`), so a failed one leaves the cache as it was.
   */
  staging(): RawCache {
    return new RawCache(join(this.root, '.staging'));
  }

  /** Drop whatever a failed or interrupted sync left in the staging folder. */
  async discardStaging(): Promise<void> {
    await rm(join(this.root, '.staging'), { recursive: true, force: true });
  }

  /** Move every staged page (its Markdown and its whole attachment folder) into place. */
  async commit(staged: RawCache, ids: Iterable<string>): Promise<void> {
    await mkdir(join(this.root, 'pages'), { recursive: true });
    await mkdir(join(this.root, 'attachments'), { recursive: true });
    for (const id of ids) {
      await rename(staged.pagePath(id), this.pagePath(id));
      await rm(this.attachmentDir(id), { recursive: true, force: true });
      if (existsSync(staged.attachmentDir(id))) await rename(staged.attachmentDir(id), this.attachmentDir(id));
    }
    await rm(staged.root, { recursive: true, force: true });
  }

  /** Remove pages and attachment folders whose ids are not kept (after a successful sync only). */
  async prune(keep: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    const keepNames = new Set([...keep].map(safeName));
    for (const [folder, suffix] of [['pages', '.md'], ['attachments', '']] as const) {
      const dir = join(this.root, folder);
      if (!existsSync(dir)) continue;
      for (const name of await readdir(dir)) {
        if (name.endsWith('.tmp')) {
          await rm(join(dir, name), { force: true, recursive: true });
          continue;
        }
        const id = suffix ? name.slice(0, -suffix.length) : name;
        if (!keepNames.has(id)) {
          await rm(join(dir, name), { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}

/**
 * Page ids are digits (or `path:…` without REST) and attachment names come from checked archive
 * entries, but a file name is a file name: nothing here may climb out of the cache folder.
 */
export function safeName(name: string): string {
  const cleaned = name.replace(/[\0/\\]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  return cleaned === '' ? '_' : cleaned;
}
