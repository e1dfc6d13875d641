/**
 * What both halves of the live source share: its dependencies (the HTTP client, credentials, the
 * clients, the options) and the one conversion from a matched archive page to what the sync stores.
 */
import type { ResolvedOptions } from '../config/options.ts';
import type { MatchedPage } from '../export/page-tree.ts';
import type { HttpClient, TokenProvider } from '../remote/http-client.ts';
import type { RestClient } from '../remote/rest-client.ts';
import type { FetchedAttachment, FetchedPage } from '../sync/page-source.ts';
import type { ArchiveFile } from '../types.ts';

export interface LiveSourceDeps {
  http: HttpClient;
  auth: TokenProvider;
  exportUrl: string;
  rest: RestClient;
  options: ResolvedOptions;
  warn: (message: string) => void;
  /** Where downloaded attachments are written before the sync moves them into its staged cache. */
  downloadDir: string;
}

/** A matched page as the sync stores it: its Markdown and the bytes of its own attachments. */
export function toFetched(id: string, page: MatchedPage, files: Map<string, ArchiveFile>): FetchedPage {
  const attachments: FetchedAttachment[] = [];
  for (const [fileName, path] of page.attachments) {
    const file = files.get(path);
    if (file) attachments.push({ fileName, data: file.data });
  }
  const fetched: FetchedPage = { id, markdown: page.markdown, attachments };
  if (page.missingAttachments.length > 0) fetched.missingAttachments = page.missingAttachments;
  return fetched;
}
