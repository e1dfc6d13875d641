/**
 * Pages from the live APIs: the tree and what may be published from Confluence REST
 * (live-discovery.ts), the content from the Markdown Exporter.
 *
 * Fetching plans the fewest export calls that never hold a page that may not be published and
 * never put confusable siblings in one bulk batch (export/plan.ts), runs them with bounded
 * concurrency, unzips each archive as it arrives, matches its files to the pages asked for
 * (export/page-tree.ts) and hands them on: memory holds a few archives, not all. A batch the app
 * refuses for size or time, and a batch whose files cannot be told apart, is split and retried,
 * never dropped and never guessed at; a single page that still fails stops the sync, named by id.
 */
import { ExportTimeoutError, PayloadTooLargeError, UnmatchedExportError } from '../errors.ts';
import { readArchive } from '../export/archive.ts';
import { matchBatch } from '../export/page-tree.ts';
import type { AttachmentInfo } from '../remote/schemas.ts';
import { planExports, planFacts, splitBatch } from '../export/plan.ts';
import { bulkExport } from '../remote/export-client.ts';
import { attachmentReferences } from '../rewrite/references.ts';
import type { FetchedPage, PageSource } from '../sync/page-source.ts';
import { drainQueue } from '../sync/work-queue.ts';
import type { ExportBatch } from '../types.ts';
import { MAX_PAGES_PER_EXPORT } from '../app-limits.ts';
import { discoverLive } from './live-discovery.ts';
import { toFetched, type LiveSourceDeps } from './live-deps.ts';
import { fetchOne, recoverAttachments, type Recovery, type Unavailable } from './recover-attachments.ts';

export type { LiveSourceDeps };

/**
 * An export call, or the recovery of a page's missing attachments (recover-attachments.ts).
 * `recovering`: this export is the page's second, alone, for files the 2 MB budget dropped.
 */
type Job =
  | { kind?: 'export'; batch: ExportBatch; withAttachments: boolean; retriedTimeout?: boolean; recovering?: string }
  | { kind: 'recover'; pageId: string };

/** A page held back until its missing attachments are recovered. */
interface Waiting {
  fetched: FetchedPage;
  missing: string[];
  exportedAlone: boolean;
  reexport: AttachmentInfo[];
  unavailable: Unavailable[];
}

export function createLiveSource(deps: LiveSourceDeps): PageSource {
  const { options } = deps;
  const label = options.rootPageId
    ? `page ${options.rootPageId} and its descendants${options.site ? ` on ${options.site}` : ''}`
    : `space ${options.spaceKey}${options.site ? ` on ${options.site}` : ''}`;

  return {
    label,
    discover: (onProgress) => discoverLive(deps, onProgress),
    verify: (onProgress) => discoverLive(deps, onProgress),
    async fetch(ids, discovery, published, onPage, onProgress) {
      const tree = discovery.tree;
      const facts = planFacts(tree, { publishable: published });
      const queue: Job[] = planExports(tree, facts, ids).map((batch) => ({ batch, withAttachments: options.includeAttachments }));
      let total = queue.length;
      let done = 0;
      let pagesDone = 0;
      let exportCalls = 0;
      let restCalls = 0;
      const exportIds: string[] = [];
      const delivered = new Set<string>();
      const waiting = new Map<string, Waiting>();
      const recoveryDeps = { ...deps, downloadDir: deps.downloadDir };

      const deliver = async (page: FetchedPage) => {
        if (delivered.has(page.id)) return;
        delivered.add(page.id);
        if (ids.has(page.id)) pagesDone++;
        await onPage(page);
      };
      /** A waiting page's recovery is over: it goes to the cache with what could be had. */
      const finish = async (id: string, wait: Waiting) => {
        waiting.delete(id);
        const got = new Set(wait.fetched.attachments.map((a) => a.fileName));
        const missing = wait.missing.filter((name) => !got.has(name));
        if (missing.length > 0) wait.fetched.missingAttachments = missing;
        else delete wait.fetched.missingAttachments;
        if (wait.unavailable.length > 0) {
          const why = { deleted: 'deleted or never uploaded', 'no-scope': 'the token lacks read:attachment:confluence', 'too-large': 'larger than maxDownloadBytes', failed: 'the download failed' } as const;
          deps.warn(`Page ${id}: ${wait.unavailable.map((u) => `attachment "${u.fileName}" cannot be had (${why[u.why]})`).join('; ')}; the page shows a placeholder instead.`);
        }
        await deliver(wait.fetched);
      };
      const enqueue = (jobs: Job[]) => {
        total += jobs.length;
        queue.push(...jobs);
      };

      const recover = async (pageId: string): Promise<void> => {
        const wait = waiting.get(pageId)!;
        const found = await recoverAttachments(recoveryDeps, pageId, wait.missing, wait.exportedAlone);
        restCalls += found.calls;
        wait.fetched.attachments.push(...found.downloaded);
        wait.unavailable.push(...found.unavailable);
        if (found.reexport.length > 0) {
          wait.reexport = found.reexport;
          return enqueue([{ batch: { kind: 'single', pageId }, withAttachments: true, recovering: pageId }]);
        }
        await finish(pageId, wait);
      };

      const run = async (job: Job): Promise<void> => {
        if (job.kind === 'recover') return recover(job.pageId);
        const { batch, withAttachments } = job;
        const name = batch.kind === 'subtree' ? `page ${batch.pageId} and its ${batch.pageCount - 1} descendants` : `page ${batch.pageId}`;
        let zip: Uint8Array;
        try {
          exportCalls++;
          const answer = await bulkExport(deps.http, deps.auth, deps.exportUrl, {
            pageId: batch.pageId,
            bulkExport: batch.kind === 'subtree',
            maxPages: batch.kind === 'subtree' ? MAX_PAGES_PER_EXPORT : 1,
            includeAttachments: withAttachments,
          });
          zip = answer.zip;
          exportIds.push(answer.exportId);
        } catch (error) {
          if (!(error instanceof PayloadTooLargeError || error instanceof ExportTimeoutError)) throw error;
          const parts = splitBatch(tree, batch, facts.sizes);
          if (parts.length > 0) {
            deps.warn(`The export of ${name} was too large or too slow for one call; splitting it into ${parts.length} smaller calls.`);
            return enqueue(parts.map((part) => ({ batch: part, withAttachments })));
          }
          // A 504 may come from a proxy or gateway having a bad moment rather than from the app's
          // time limit: try the same call once more before giving up the page's attachments.
          if (error instanceof ExportTimeoutError && !job.retriedTimeout) {
            deps.warn(`The export of ${name} timed out and cannot be split; trying it once more.`);
            return run({ ...job, retriedTimeout: true });
          }
          if (withAttachments) {
            deps.warn(`Page ${batch.pageId} is too large to export with its attachments; exporting its text alone. Its images will link to Confluence.`);
            return run({ batch, withAttachments: false });
          }
          const Kind = error instanceof PayloadTooLargeError ? PayloadTooLargeError : ExportTimeoutError;
          throw new Kind(`Page ${batch.pageId} is ${error instanceof PayloadTooLargeError ? "over the app's 5 MB limit" : "too slow for the app's 25 s limit"} even exported alone without attachments, so it cannot be published. ${error.message}`, {
            hint: `Split page ${batch.pageId} into smaller pages in Confluence, or keep it off the site with a label listed in CONFLUENCE_EXCLUDE_LABELS. The last good content was kept.`,
            request: error.request,
          });
        }
        const archive = await readArchive(zip, `the export of ${name}`, options.archiveLimits);
        for (const warning of archive.warnings) deps.warn(warning);
        const match = matchBatch(archive.files, batch, tree, attachmentReferences, archive.duplicates);
        if (!match.ok) {
          const parts = splitBatch(tree, batch, facts.sizes);
          if (parts.length === 0) {
            throw new UnmatchedExportError(`The export of page ${batch.pageId} cannot be matched to the page asked for: ${match.problem}.`);
          }
          deps.warn(`The export of ${name} could not be matched file by file (${match.problem}); exporting it in ${parts.length} smaller calls.`);
          return enqueue(parts.map((part) => ({ batch: part, withAttachments })));
        }
        const files = new Map(archive.files.map((f) => [f.path, f]));
        for (const [id, page] of match.pages) {
          // By construction every page of a planned batch may be published; an archive saying
          // otherwise is refused rather than filtered.
          if (!published.has(id)) throw new UnmatchedExportError(`The export of ${name} held page ${id}, which was not asked for.`);
          // Siblings referencing the same file name: the file is nobody's until each is exported alone.
          if (match.sharedAttachments.has(id) && withAttachments && batch.kind === 'subtree') continue;
          const fetched = toFetched(id, page, files);
          if (job.recovering === id) {
            // The page's second export, alone: keep the files it now holds, download what it still lacks.
            const wait = waiting.get(id)!;
            const have = new Set(wait.fetched.attachments.map((a) => a.fileName));
            wait.fetched.attachments.push(...fetched.attachments.filter((a) => !have.has(a.fileName) && wait.missing.includes(a.fileName)));
            const got = new Set(wait.fetched.attachments.map((a) => a.fileName));
            const more: Recovery = { downloaded: [], reexport: [], unavailable: [], calls: 0 };
            for (const info of wait.reexport) if (!got.has(info.title)) await fetchOne(recoveryDeps, id, info, more);
            restCalls += more.calls;
            wait.fetched.attachments.push(...more.downloaded);
            wait.unavailable.push(...more.unavailable);
            await finish(id, wait);
            continue;
          }
          if (withAttachments && fetched.missingAttachments && !delivered.has(id) && !waiting.has(id)) {
            waiting.set(id, { fetched, missing: fetched.missingAttachments, exportedAlone: batch.kind === 'single', reexport: [], unavailable: [] });
            enqueue([{ kind: 'recover', pageId: id }]);
            continue;
          }
          await deliver(fetched);
        }
        const alone = [...match.sharedAttachments].filter((id) => !delivered.has(id));
        if (alone.length > 0 && withAttachments && batch.kind === 'subtree') {
          deps.warn(`In the export of ${name}, the archive cannot tell which page owns some attachments of ${alone.length === 1 ? 'page' : 'pages'} ${alone.join(', ')} (a file name shared with a sibling, or repeated); exporting ${alone.length === 1 ? 'it' : 'each of them'} alone for its own files.`);
          enqueue(alone.map((pageId) => ({ batch: { kind: 'single', pageId }, withAttachments })));
        }
      };

      await drainQueue(queue, options.concurrency, async (job) => {
        await run(job);
        done++;
        onProgress?.({ batchesDone: done, batchesTotal: total, pagesDone });
      });
      return { exportCalls, exportIds, restCalls };
    },
  };
}
