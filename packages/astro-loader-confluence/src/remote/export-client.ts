/**
 * The Markdown Exporter app's two calls, `bulkExport` and `singleExport`, over the shared HTTP
 * client. Status codes get the meanings the app documents (see errors.ts); what comes back is
 * checked before anyone unzips it, so a truncated or garbled answer fails here, naming its batch.
 */
import { ArchiveError, ConfigError, ConfluenceLoaderError } from '../errors.ts';
import type { HttpClient, TokenProvider } from './http-client.ts';

import { MAX_PAGES_PER_EXPORT } from '../app-limits.ts';
import { exportAnswerSchema, parseAnswer } from './schemas.ts';

export interface BulkExportRequest {
  spaceKey?: string;
  /** Wins over `spaceKey` when both are given (as the app does). */
  pageId?: string;
  /** With `pageId`: the page and all its descendants. */
  bulkExport?: boolean;
  /** At most 100; the app's default is 50. */
  maxPages?: number;
  includeAttachments?: boolean;
}

export interface BulkExportResult {
  exportId: string;
  pageCount: number;
  /** The ZIP archive, decoded. */
  zip: Uint8Array;
}

export type SingleExportResult =
  /** Without attachments the app answers with the Markdown itself. */
  | { kind: 'markdown'; markdown: string }
  /** With attachments, a ZIP like bulkExport's. */
  | { kind: 'zip'; exportId: string; title?: string; zip: Uint8Array };

type Http = Pick<HttpClient, 'request'>;

export async function bulkExport(http: Http, auth: TokenProvider, baseUrl: string, request: BulkExportRequest): Promise<BulkExportResult> {
  const batch = describeBatch(request);
  if (!request.spaceKey && !request.pageId) {
    throw new ConfigError('An export needs a space key or a page id, and this one has neither.', {
      hint: 'Set CONFLUENCE_SPACE_KEY or CONFLUENCE_ROOT_PAGE_ID.',
    });
  }
  if (request.maxPages !== undefined && !(Number.isInteger(request.maxPages) && request.maxPages >= 1 && request.maxPages <= MAX_PAGES_PER_EXPORT)) {
    throw new ConfigError(`maxPages is ${request.maxPages} for ${batch}; the app allows 1 to ${MAX_PAGES_PER_EXPORT}.`, {
      hint: 'Larger subtrees must be split into several batches (the planner does this).',
    });
  }
  const body = definedFields({ ...request });
  const url = `${baseUrl}/bulkExport`;
  const response = await http.request({ method: 'POST', url, json: body, auth, kind: 'export', headers: { accept: 'application/json' } });
  const answer = parseExportAnswer(jsonOf(response, batch), batch, url, response.status);
  return { exportId: answer.exportId, pageCount: answer.pageCount, zip: answer.zip };
}

export async function singleExport(http: Http, auth: TokenProvider, baseUrl: string, request: { pageId: string; includeAttachments?: boolean }): Promise<SingleExportResult> {
  if (!request.pageId) {
    throw new ConfigError('A single-page export needs a page id.', { hint: 'Pass the id of the page to export.' });
  }
  const batch = `page ${request.pageId} alone`;
  const url = `${baseUrl}/singleExport`;
  const response = await http.request({ method: 'POST', url, json: definedFields({ ...request }), auth, kind: 'export' });
  // The content type says which of the two documented answers this is.
  if (!/json/i.test(response.headers['content-type'] ?? '')) {
    return { kind: 'markdown', markdown: response.text() };
  }
  const answer = parseExportAnswer(jsonOf(response, batch), batch, url, response.status);
  const result: SingleExportResult = { kind: 'zip', exportId: answer.exportId, zip: answer.zip };
  if (answer.title !== undefined) result.title = answer.title;
  return result;
}

/** How a batch is named in messages. */
export function describeBatch(request: BulkExportRequest): string {
  if (request.pageId) return request.bulkExport ? `page ${request.pageId} and its descendants` : `page ${request.pageId} alone`;
  if (request.spaceKey) return `space ${request.spaceKey}`;
  return 'an export with neither space nor page';
}

/**
 * Strict base64: only the standard alphabet, length a multiple of 4, padding only at the end.
 * Node's decoder silently skips bad characters, which would turn a corrupt answer into a
 * plausible but truncated archive.
 */
export function decodeBase64Strict(value: string): Uint8Array | undefined {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const buffer = Buffer.from(value, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

interface ExportAnswer {
  success?: unknown;
  message?: unknown;
  error?: unknown;
}

function parseExportAnswer(raw: unknown, batch: string, url: string, status: number): { exportId: string; pageCount: number; title?: string; zip: Uint8Array } {
  const request = { method: 'POST', url, status };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ArchiveError(`The export of ${batch} answered with something other than a JSON object.`, { request });
  }
  const failed = raw as ExportAnswer;
  if (failed.success === false) {
    const said = [failed.message, failed.error].find((value) => typeof value === 'string');
    throw new ConfluenceLoaderError(`The export of ${batch} reported failure${said ? `: "${said}"` : ''}.`, {
      request,
      hint: 'Re-run the build; if it persists, the app owner can read the Forge logs with `forge logs -e production`.',
    }, 'EXPORT_FAILED', 'ConfluenceLoaderError');
  }
  const answer = parseAnswer(exportAnswerSchema, raw, request, `The export of ${batch}`);
  const exportId = answer.exportId ?? '(none)';
  const zip = decodeBase64Strict(answer.zipBase64);
  if (!zip) {
    throw new ArchiveError(`The export of ${batch} (export id ${exportId}) holds invalid base64, so its archive is corrupt or truncated.`, { request });
  }
  // Every ZIP starts with a local file header (PK\3\4) or, when empty, the end record (PK\5\6).
  if (zip.length < 4 || zip[0] !== 0x50 || zip[1] !== 0x4b || !((zip[2] === 3 && zip[3] === 4) || (zip[2] === 5 && zip[3] === 6))) {
    throw new ArchiveError(`The export of ${batch} (export id ${exportId}) is not a ZIP archive.`, { request });
  }
  return { exportId, pageCount: answer.pageCount ?? 0, ...(answer.title === undefined ? {} : { title: answer.title }), zip };
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The answer's JSON; when it is not JSON, the error says which batch it answered. */
function jsonOf(response: { json<T>(): T }, batch: string): unknown {
  try {
    return response.json<unknown>();
  } catch (error) {
    if (!(error instanceof ConfluenceLoaderError)) throw error;
    throw new ConfluenceLoaderError(`The export of ${batch} failed: ${error.message}`, { hint: error.hint, cause: error }, error.code, error.name);
  }
}
