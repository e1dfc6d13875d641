/**
 * The export archive, laid out as the app documents it (contract.md §4):
 * `{slug}.md` per page, `attachments/` in the same folder as the page's file (only when asked),
 * `{slug}/` holding the page's children.
 */
import type { Page } from './space.ts';
import { siblingSlugs, type SlugCollision } from './slug.ts';
import { writeZip, type ZipEntry } from './zip.ts';

export interface ArchiveOptions {
  /** Pages at the archive root: the space's top-level pages, or the exported root page. */
  roots: Page[];
  /** Children of a page in position order (only those inside the export are written). */
  childrenOf: (id: string) => Page[];
  /** The ids in this export; children outside it (after maxPages truncation) are left out. */
  included: ReadonlySet<string>;
  includeAttachments: boolean;
  slugCollision: SlugCollision;
  maxAttachmentBytes: number;
  maxTotalAttachmentBytes: number;
  /** Turns the stored body into the exported one (e.g. which host absolute links name). */
  renderBody?: (page: Page) => string;
}

export interface OmittedAttachment {
  pageId: string;
  fileName: string;
  reason: 'file-too-large' | 'export-total-exceeded';
}

export interface BuiltArchive {
  zip: Buffer;
  /** Entry paths in archive order (directories end with `/`). */
  paths: string[];
  pageCount: number;
  /** Ids of the pages whose Markdown the archive holds, in archive order. */
  pageIds: string[];
  attachmentBytes: number;
  /** What the limits left out. The app reports nothing; this is for the stand-in's own tests. */
  omitted: OmittedAttachment[];
}

/** `# {title}`, a blank line, then the body: how every exported page starts. */
export function pageMarkdown(page: Page, body = page.body): string {
  const text = `# ${page.title}\n\n${body}`;
  return text.endsWith('\n') ? text : `${text}\n`;
}

export function buildArchive(options: ArchiveOptions): BuiltArchive {
  const entries: ZipEntry[] = [];
  const dirs = new Set<string>();
  const omitted: OmittedAttachment[] = [];
  let attachmentBytes = 0;
  const pageIds: string[] = [];

  const ensureDir = (dir: string) => {
    if (!dir || dirs.has(dir)) return;
    dirs.add(dir);
    entries.push({ path: dir });
  };

  const writeFolder = (prefix: string, pages: Page[]) => {
    const slugs = siblingSlugs(
      pages.map((p) => p.title),
      options.slugCollision,
    );
    pages.forEach((page, i) => {
      const slug = slugs[i] as string;
      ensureDir(prefix);
      const children = options.childrenOf(page.id).filter((c) => options.included.has(c.id));
      if (page.kind === 'folder') {
        // A folder has no Markdown of its own: its pages sit in a folder named after it.
        if (children.length) writeFolder(`${prefix}${slug}/`, children);
        return;
      }
      const body = options.renderBody ? options.renderBody(page) : page.body;
      entries.push({ path: `${prefix}${slug}.md`, data: Buffer.from(pageMarkdown(page, body), 'utf8') });
      pageIds.push(page.id);
      if (options.includeAttachments) {
        for (const att of page.attachments) {
          if (att.data.length > options.maxAttachmentBytes) {
            omitted.push({ pageId: page.id, fileName: att.fileName, reason: 'file-too-large' });
            continue;
          }
          if (attachmentBytes + att.data.length > options.maxTotalAttachmentBytes) {
            omitted.push({ pageId: page.id, fileName: att.fileName, reason: 'export-total-exceeded' });
            continue;
          }
          attachmentBytes += att.data.length;
          ensureDir(`${prefix}attachments/`);
          entries.push({ path: `${prefix}attachments/${att.fileName}`, data: att.data });
        }
      }
      if (children.length) writeFolder(`${prefix}${slug}/`, children);
    });
  };

  writeFolder(
    '',
    options.roots.filter((r) => options.included.has(r.id)),
  );
  return {
    zip: writeZip(entries),
    paths: entries.map((e) => e.path),
    pageCount: pageIds.length,
    pageIds,
    attachmentBytes,
    omitted,
  };
}
