/**
 * The sync report: what one build or CLI run published, what it left out and why, which links and
 * attachments did not resolve, and the calls it made, as JSON (option `report`, variable
 * CONFLUENCE_REPORT) and, on GitHub Actions, as a short Markdown summary appended to
 * $GITHUB_STEP_SUMMARY. Reports are public like logs: pages that are not published appear by id
 * only, never by title or URL.
 */
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BuildEntriesResult } from './entries.ts';
import { redact } from './redact.ts';
import { parseConfluenceUrl } from './rewrite/confluence-urls.ts';
import { writeFileAtomic } from './sync/fs-atomic.ts';
import type { SyncOutcome } from './sync/sync.ts';
import type { UnpublishedReason } from './types.ts';
import { VERSION } from './version.ts';

export interface SyncReport {
  /** `astro-loader-confluence@<version>`. */
  tool: string;
  generatedAt: string;
  /** What was synced, as the build log names it (`space DOCS on acme.atlassian.net`). */
  source: string;
  pages: {
    published: number;
    /** Exported in this run; the others came from the raw cache. */
    exported: number;
    fromCache: number;
  };
  /** Ids of the pages left out, by reason (`restricted`, `excluded-label`). */
  leftOut: Partial<Record<UnpublishedReason, string[]>>;
  /** Links on published pages that point at no published page; `targetId` when the link names one. */
  unresolvedLinks: { fromPageId: string; reason: UnpublishedReason; targetId?: string }[];
  /** Files a published page references that the export did not deliver. */
  missingAttachments: { pageId: string; fileName: string }[];
  calls: {
    export: number;
    /** The app's export id of each call (its Export History lists them). */
    exportIds: string[];
  };
}

export interface ReportInput {
  outcome: SyncOutcome;
  /** Null when nothing changed since the last sync: links and attachments were reported then. */
  built: BuildEntriesResult | null;
  sourceLabel: string;
  siteHost?: string;
  cloudId?: string;
}

export function buildReport(input: ReportInput, now = new Date()): SyncReport {
  const { outcome, built } = input;
  const leftOut: SyncReport['leftOut'] = {};
  for (const [id, reason] of outcome.decision.excluded) (leftOut[reason] ??= []).push(id);
  const urlOptions = { siteHosts: input.siteHost ? [input.siteHost] : [], cloudId: input.cloudId };
  return {
    tool: `astro-loader-confluence@${VERSION}`,
    generatedAt: now.toISOString(),
    source: input.sourceLabel,
    pages: {
      published: outcome.decision.published.size,
      exported: outcome.fetched.size,
      fromCache: outcome.decision.published.size - outcome.fetched.size,
    },
    leftOut,
    unresolvedLinks: (built?.unresolved ?? []).map((link) => {
      const target = parseConfluenceUrl(link.url, urlOptions);
      const targetId = target && 'pageId' in target ? target.pageId : undefined;
      return { fromPageId: link.fromPageId, reason: link.reason, ...(targetId ? { targetId } : {}) };
    }),
    missingAttachments: built?.missingAttachments ?? [],
    calls: { export: outcome.exportCalls, exportIds: outcome.exportIds },
  };
}

/** The few lines a GitHub Actions run page shows for the sync. */
export function reportSummary(report: SyncReport): string {
  const left = Object.entries(report.leftOut).map(([reason, ids]) => `${ids!.length} ${reason}`).join(', ') || 'none';
  return [
    `### Confluence sync: ${report.source}`,
    '',
    '| | |',
    '| --- | --- |',
    `| pages published | ${report.pages.published} (${report.pages.exported} exported, ${report.pages.fromCache} from the cache) |`,
    `| left out | ${left} |`,
    `| links to unpublished pages | ${report.unresolvedLinks.length} |`,
    `| missing attachments | ${report.missingAttachments.length} |`,
    `| export calls | ${report.calls.export} |`,
    '',
  ].join('\n');
}

/** Writes the JSON report to `path` (relative to `root`), and the summary where GitHub Actions reads it. */
export async function writeReport(report: SyncReport, options: { root: string; path?: string; env?: Record<string, string | undefined> }): Promise<void> {
  if (options.path) await writeFileAtomic(resolve(options.root, options.path), `${redact(JSON.stringify(report, null, 2))}\n`);
  const summary = (options.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, `${redact(reportSummary(report))}\n`);
}
