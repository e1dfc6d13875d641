/**
 * Attachments the export left out, recovered with the fewest extra calls. The app never delivers
 * a file over 300 KB, and drops every file past 2 MB of attachments in one export; so for a page
 * whose Markdown references files the archive lacks, the page's attachment listing (one REST call)
 * says which is which:
 * - a file the listing does not have was deleted: it cannot be had;
 * - a file over 300 KB is downloaded through REST (streamed to disk, at most `maxDownloadBytes`);
 * - a smaller file fell to the 2 MB budget of a shared batch: the page is exported again alone,
 *   where it has the budget to itself (a file still missing then is downloaded).
 * Only published pages' files are ever asked for, and only files the page references.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MAX_EXPORTED_ATTACHMENT_BYTES } from '../app-limits.ts';
import { ConfluenceLoaderError, NotFoundError, RestScopeError, UntrustedTreeError } from '../errors.ts';
import type { AttachmentInfo } from '../remote/schemas.ts';
import type { FetchedAttachment } from '../sync/page-source.ts';
import type { LiveSourceDeps } from './live-deps.ts';

export type Unavailable = { fileName: string; why: 'deleted' | 'no-scope' | 'too-large' | 'failed' };

export interface Recovery {
  /** Files downloaded, ready for the cache. */
  downloaded: FetchedAttachment[];
  /** Small files to get by exporting the page again, alone. */
  reexport: AttachmentInfo[];
  unavailable: Unavailable[];
  /** REST calls made (the listing and each download). */
  calls: number;
}

/**
 * What to do about `missing` (file names page `pageId` references that its archive lacked).
 * `exportedAlone`: the archive held this page alone, so a re-export cannot do better.
 */
export async function recoverAttachments(deps: LiveSourceDeps, pageId: string, missing: readonly string[], exportedAlone: boolean): Promise<Recovery> {
  const out: Recovery = { downloaded: [], reexport: [], unavailable: [], calls: 0 };
  let listing: AttachmentInfo[];
  try {
    out.calls++;
    listing = await deps.rest.listAttachments(pageId);
  } catch (error) {
    if (error instanceof RestScopeError) {
      out.unavailable.push(...missing.map((fileName) => ({ fileName, why: 'no-scope' as const })));
      return out;
    }
    throw error;
  }
  const byName = new Map(listing.map((info) => [info.title, info]));
  const download: AttachmentInfo[] = [];
  for (const fileName of missing) {
    const info = byName.get(fileName);
    if (!info) out.unavailable.push({ fileName, why: 'deleted' });
    else if (info.fileSize > MAX_EXPORTED_ATTACHMENT_BYTES || exportedAlone) download.push(info);
    else out.reexport.push(info);
  }
  for (const info of download) await fetchOne(deps, pageId, info, out);
  return out;
}

/** Downloads one listed file, or says why it cannot be had. */
export async function fetchOne(deps: LiveSourceDeps, pageId: string, info: AttachmentInfo, out: Recovery): Promise<void> {
  if (info.fileSize > deps.options.maxDownloadBytes) {
    out.unavailable.push({ fileName: info.title, why: 'too-large' });
    return;
  }
  // Only this page's own file: a link to another page's attachment, or anywhere else, is never followed.
  const segments = new URL(info.downloadLink, 'https://confluence.invalid/').pathname.split('/').filter(Boolean);
  if (segments[0] !== 'download' || segments[1] !== 'attachments' || segments[2] !== pageId || segments.length < 4) {
    throw new UntrustedTreeError(`The attachment listing of page ${pageId} gives a download link that is not one of that page's files, so it is not followed.`);
  }
  const file = join(deps.downloadDir, pageId, `${randomBytes(6).toString('hex')}.download`);
  try {
    out.calls++;
    await deps.rest.downloadAttachment(info.downloadLink, file, deps.options.maxDownloadBytes);
    out.downloaded.push({ fileName: info.title, file });
  } catch (error) {
    if (error instanceof RestScopeError) out.unavailable.push({ fileName: info.title, why: 'no-scope' });
    else if (error instanceof NotFoundError) out.unavailable.push({ fileName: info.title, why: 'deleted' });
    else if (error instanceof ConfluenceLoaderError && error.code === 'DOWNLOAD_TOO_LARGE') out.unavailable.push({ fileName: info.title, why: 'too-large' });
    else throw error;
  }
}
