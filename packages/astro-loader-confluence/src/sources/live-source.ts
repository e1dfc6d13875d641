/**
 * Pages from the live APIs: the tree from Confluence REST, the content from the Markdown Exporter.
 *
 * Discovery costs about pages/250 REST calls for the tree, one CQL search for excluded labels, and
 * one restriction look-up per page (top-down, so the subtree of a restricted page is never asked
 * about). Fetching plans the fewest export calls (plan.ts), runs them with bounded concurrency,
 * unzips each archive as it arrives and hands its pages on: memory holds a few archives, not all.
 * A batch the app refuses for size or time is split and retried, never dropped.
 */
import { readArchive } from '../export/archive.ts';
import { ConfigError, ExportTimeoutError, PayloadTooLargeError, RestScopeError } from '../errors.ts';
import { bulkExport } from '../remote/export-client.ts';
import type { HttpClient } from '../remote/http-client.ts';
import type { ResolvedOptions } from '../config/options.ts';
import type { Discovery, FetchedAttachment, FetchedPage, PageSource } from '../sync/page-source.ts';
import { matchArchive, pagesInArchive, treeFromArchive } from '../export/page-tree.ts';
import { MAX_PAGES_PER_EXPORT } from '../app-limits.ts';
import { planExports, splitBatch } from '../export/plan.ts';
import type { RestClient } from '../remote/rest-client.ts';
import { buildSpaceTree, subtreeSizes } from '../discover/space-tree.ts';
import type { TokenProvider } from '../remote/token-provider.ts';
import { drainQueue } from '../sync/work-queue.ts';
import type { ArchiveFile, ExportBatch, ExportedPage, SpaceTree } from '../types.ts';

export interface LiveSourceDeps {
  http: HttpClient;
  auth: TokenProvider;
  exportUrl: string;
  rest: RestClient;
  options: ResolvedOptions;
  warn: (message: string) => void;
}

/**
 * Restriction look-ups are one small GET per page; more of them in flight than export calls keeps
 * discovery of a large space short. The HTTP client's shared limit is raised to match.
 */
export const RESTRICTION_LOOKUPS_IN_FLIGHT = 16;

const REST_SCOPES =
  'read:space:confluence, read:page:confluence, read:content-details:confluence, read:label:confluence and search:confluence';

export function createLiveSource(deps: LiveSourceDeps): PageSource {
  const { options } = deps;
  const label = options.rootPageId
    ? `page ${options.rootPageId} and its descendants${options.site ? ` on ${options.site}` : ''}`
    : `space ${options.spaceKey}${options.site ? ` on ${options.site}` : ''}`;

  return {
    label,
    async discover() {
      try {
        return await discoverWithRest(deps);
      } catch (error) {
        if (!(error instanceof RestScopeError)) throw error;
        return discoverWithoutRest(deps, error);
      }
    },
    async fetch(ids, discovery, onPage, onProgress) {
      const tree = discovery.tree;
      const sizes = subtreeSizes(tree);
      const queue: ExportBatch[] = planExports(tree, { only: ids, sizes });
      let total = queue.length;
      let done = 0;
      let pagesDone = 0;
      let exportCalls = 0;
      const exportIds: string[] = [];
      const delivered = new Set<string>();

      const deliver = async (page: FetchedPage) => {
        if (delivered.has(page.id)) return;
        delivered.add(page.id);
        if (ids.has(page.id)) pagesDone++;
        await onPage(page);
      };

      const runBatch = async (batch: ExportBatch, withAttachments: boolean, retriedTimeout = false): Promise<void> => {
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
          if (error instanceof PayloadTooLargeError || error instanceof ExportTimeoutError) {
            const parts = splitBatch(tree, batch, sizes);
            if (parts.length > 0) {
              deps.warn(`The export of ${name} was too large or too slow for one call; splitting it into ${parts.length} smaller calls.`);
              total += parts.length;
              for (const part of parts) queue.push(part);
              return;
            }
            // A 504 may come from a proxy or gateway having a bad moment rather than from the app's
            // time limit: try the same call once more before giving up the page's attachments.
            if (error instanceof ExportTimeoutError && !retriedTimeout) {
              deps.warn(`The export of ${name} timed out and cannot be split; trying it once more.`);
              return runBatch(batch, withAttachments, true);
            }
            if (withAttachments) {
              deps.warn(`Page ${batch.pageId} ("${tree.pages.get(batch.pageId)?.title}") is too large to export with its attachments; exporting its text alone. Its images will link to Confluence.`);
              return runBatch(batch, false);
            }
          }
          throw error;
        }
        const archive = await readArchive(zip, `the export of ${name}`, options.archiveLimits);
        for (const warning of archive.warnings) deps.warn(warning);
        const byFolder = pagesInArchive(archive.files);
        const files = new Map(archive.files.map((f) => [f.path, f]));
        const match = matchArchive(byFolder, [batch.pageId], tree, { recurse: batch.kind === 'subtree' });
        for (const [id, exported] of match.matched) await deliver(toFetched(id, exported, files));
        // A page the archive should have held but did not (a title we could not match, a truncated
        // answer): ask for it alone, once, before calling the sync incomplete.
        for (const id of match.missing) {
          if (ids.has(id) && !delivered.has(id) && batch.kind === 'subtree') {
            total++;
            queue.push({ kind: 'single', pageId: id });
          }
        }
      };

      await drainQueue(queue, options.concurrency, async (batch) => {
        await runBatch(batch, options.includeAttachments);
        done++;
        onProgress?.({ batchesDone: done, batchesTotal: total, pagesDone });
      });
      return { exportCalls, exportIds };
    },
  };
}

async function discoverWithRest(deps: LiveSourceDeps): Promise<Discovery> {
  const { rest, options } = deps;
  let tree: SpaceTree;
  if (options.rootPageId) {
    const pages = await rest.listDescendants(options.rootPageId);
    tree = buildSpaceTree(pages, { rootPageId: options.rootPageId, spaceKey: options.spaceKey });
  } else {
    const space = await rest.getSpaceByKey(options.spaceKey!);
    const pages = await rest.listSpacePages(space.id);
    tree = buildSpaceTree(pages, { spaceKey: space.key, spaceId: space.id });
  }

  const labelled = new Set<string>();
  if (options.excludeLabels.length > 0) {
    const quoted = options.excludeLabels.map((l) => JSON.stringify(l)).join(',');
    const scope = tree.spaceKey ? `space = ${JSON.stringify(tree.spaceKey)} AND ` : '';
    for (const id of await rest.searchByCql(`${scope}type = page AND label in (${quoted})`, 250)) {
      if (tree.pages.has(id)) labelled.add(id);
    }
  }

  const restricted = new Set<string>();
  if (options.checkRestrictions) {
    // Top-down, each page's children queued as soon as it is known to be open: the subtree of a
    // restricted or excluded page is left out anyway, so it is never asked about, and no level
    // waits for the slowest page of the level before.
    const queue = tree.roots.filter((id) => !labelled.has(id));
    await drainQueue(queue, RESTRICTION_LOOKUPS_IN_FLIGHT, async (id) => {
      const r = await rest.getReadRestrictions(id);
      if (r.users + r.groups > 0) restricted.add(id);
      else for (const kid of tree.children.get(id) ?? []) if (!labelled.has(kid)) queue.push(kid);
    });
  }
  const warnings: string[] = [];
  if (!options.checkRestrictions) {
    warnings.push('Read restrictions are not checked (checkRestrictions: false): every page the account can see will be published.');
  }
  return { tree, restricted, labelled, fromRest: true, warnings };
}

/**
 * Without REST scopes the only way to learn the tree is to export it: one call of at most 100
 * pages. Ordering, restriction checks and larger spaces need the REST scopes.
 */
async function discoverWithoutRest(deps: LiveSourceDeps, cause: RestScopeError): Promise<Discovery> {
  const { options } = deps;
  // Export first: REST refusing the token may mean a bad or expired token rather than missing
  // scopes, and then the export's own error (401: refresh the token) is the one that helps.
  const answer = await bulkExport(deps.http, deps.auth, deps.exportUrl, {
    ...(options.rootPageId ? { pageId: options.rootPageId, bulkExport: true } : { spaceKey: options.spaceKey }),
    maxPages: MAX_PAGES_PER_EXPORT,
    includeAttachments: options.includeAttachments,
  });
  if (options.excludeLabels.length > 0) {
    throw new ConfigError('CONFLUENCE_EXCLUDE_LABELS is set, but the token cannot read labels (no REST scopes), so excluded pages could not be kept out.', {
      hint: `Grant the REST scopes ${REST_SCOPES} to the OAuth integration, or publish through an account that cannot see the excluded pages and unset CONFLUENCE_EXCLUDE_LABELS.`,
      cause,
    });
  }
  const archive = await readArchive(answer.zip, options.rootPageId ? `page ${options.rootPageId}` : `space ${options.spaceKey}`, options.archiveLimits);
  const byFolder = pagesInArchive(archive.files);
  const files = new Map(archive.files.map((f) => [f.path, f]));
  const found = treeFromArchive(byFolder);
  const tree = buildSpaceTree(
    found.pages.map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, position: p.position, version: { number: 0 } })),
    { spaceKey: options.spaceKey },
  );
  const prefetched = new Map<string, FetchedPage>();
  for (const page of found.pages) prefetched.set(page.id, toFetched(page.id, page.exported, files));

  const warnings = [
    ...archive.warnings,
    `The token has no Confluence REST scopes (${cause.status ?? 'refused'}), so the space was exported in one call without them: sibling order is alphabetical, restrictions were NOT checked (publish through an account that sees only public pages), and at most ${MAX_PAGES_PER_EXPORT} pages are published. Grant ${REST_SCOPES} to lift these limits.`,
  ];
  if (answer.pageCount >= MAX_PAGES_PER_EXPORT || found.pages.length >= MAX_PAGES_PER_EXPORT) {
    warnings.push(`The export returned ${MAX_PAGES_PER_EXPORT} pages, the most one call can hold: the space is probably truncated. Grant ${REST_SCOPES} to publish all of it.`);
  }
  return { tree, restricted: new Set(), labelled: new Set(), fromRest: false, prefetched, warnings };
}

function toFetched(id: string, exported: ExportedPage, files: Map<string, ArchiveFile>): FetchedPage {
  const attachments: FetchedAttachment[] = [];
  for (const [fileName, path] of exported.attachments) {
    // Siblings share one attachments/ folder: keep only the files this page mentions, so a
    // sibling's file is never published as this page's.
    if (exported.attachmentsShared && !mentions(exported.markdown, fileName)) continue;
    const file = files.get(path);
    if (file) attachments.push({ fileName, data: file.data });
  }
  return { id, markdown: exported.markdown, attachments };
}

function mentions(markdown: string, fileName: string): boolean {
  return (
    markdown.includes(fileName) ||
    markdown.includes(encodeURIComponent(fileName)) ||
    markdown.includes(encodeURI(fileName)) ||
    markdown.includes(fileName.replace(/ /g, '+'))
  );
}
