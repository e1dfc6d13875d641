/**
 * The Markdown Exporter app's two operations, bulkExport and singleExport, with the documented
 * validation, statuses and limits. The app runs as a user who can see restricted pages, so
 * exports include restricted and labelled pages: filtering is the loader's job.
 */
import { randomUUID } from 'node:crypto';
import { archiveBody } from './links.ts';
import { buildArchive, pageMarkdown } from './archive.ts';
import { CAUSES } from './constants.ts';
import { json, type Reply } from './reply.ts';
import type { SlugCollision } from './slug.ts';
import type { Page, Space } from './space.ts';

export interface ExportSettings {
  slugCollision: SlugCollision;
  maxAttachmentBytes: number;
  maxTotalAttachmentBytes: number;
  maxResponseBytes: number;
  /** Simulated function time per exported page. */
  exportCostMs: number;
  functionTimeoutMs: number;
  /** Origin written in absolute links in page bodies, e.g. `http://127.0.0.1:4321`. */
  linkOrigin: string;
}

export interface ExportContext {
  space: Space;
  settings: ExportSettings;
  /** A permanent fault configured for any of these pages, checked once the selection is known. */
  permanentFault: (pageIds: string[]) => Reply | undefined;
  sleep: (ms: number) => Promise<void>;
  count: (name: string) => void;
}

export function exportError(status: number, error: string, message: string): Reply {
  return json(status, { success: false, error, message });
}

const badRequest = (message: string) => exportError(400, 'BAD_REQUEST', message);
const notFound = (what: string) => exportError(404, 'NOT_FOUND', `${CAUSES[404]} (${what})`);

export async function handleExport(ctx: ExportContext, operation: string, body: unknown): Promise<Reply> {
  if (operation === 'bulkExport') {
    ctx.count('bulkExport');
    return bulkExport(ctx, body);
  }
  if (operation === 'singleExport') {
    ctx.count('singleExport');
    return singleExport(ctx, body);
  }
  return exportError(404, 'NOT_FOUND', `Unknown operation: ${operation}`);
}

function asObject(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return undefined;
}

async function bulkExport(ctx: ExportContext, raw: unknown): Promise<Reply> {
  const body = asObject(raw);
  if (!body) return badRequest(`${CAUSES[400]}: the request body must be a JSON object`);
  const pageId = idOf(body.pageId);
  const spaceKey = typeof body.spaceKey === 'string' && body.spaceKey !== '' ? body.spaceKey : undefined;
  if (!pageId && !spaceKey) return badRequest(CAUSES[400]);

  let maxPages = 50;
  if (body.maxPages !== undefined && body.maxPages !== null) {
    const n = body.maxPages;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      return badRequest(`maxPages must be an integer from 1 to 100 (got ${JSON.stringify(n)})`);
    }
    // Documented "Maximum allowed: 100": larger values are clamped, not refused.
    maxPages = Math.min(n, 100);
  }
  const includeAttachments = body.includeAttachments === true;
  const space = ctx.space;

  let roots: Page[];
  let ordered: Page[];
  if (pageId) {
    // pageId takes precedence over spaceKey; bulkExport is only read in this branch.
    const root = space.get(pageId);
    if (!root || root.kind !== 'page') return notFound(`page ${pageId}`);
    roots = [root];
    ordered = body.bulkExport === true ? space.subtree(pageId) : [root];
  } else {
    if (spaceKey !== space.key) return notFound(`space ${spaceKey}`);
    ordered = space.subtree(undefined);
    if (!ordered.length) return notFound(`space ${spaceKey} has no pages`);
    roots = space.children(undefined);
  }
  // maxPages counts pages; folders on the way hold no Markdown and are written as plain folders.
  const selected = ordered.filter((p) => p.kind === 'page').slice(0, maxPages);
  const included = new Set([...selected.map((p) => p.id), ...ordered.filter((p) => p.kind === 'folder').map((p) => p.id)]);

  const fault = ctx.permanentFault(selected.map((p) => p.id));
  if (fault) return fault;
  const timeout = await simulateWork(ctx, selected.length);
  if (timeout) return timeout;

  const archive = buildArchive({
    roots,
    childrenOf: (id) => space.children(id),
    included,
    includeAttachments,
    slugCollision: ctx.settings.slugCollision,
    maxAttachmentBytes: ctx.settings.maxAttachmentBytes,
    maxTotalAttachmentBytes: ctx.settings.maxTotalAttachmentBytes,
    renderBody: (p) => archiveBody(space, p, ctx.settings.linkOrigin),
  });
  return sized(
    ctx,
    json(200, {
      success: true,
      exportId: randomUUID(),
      spaceKey: pageId ? null : space.key,
      pageId: pageId ?? null,
      pageCount: archive.pageCount,
      zipBase64: archive.zip.toString('base64'),
    }),
    archive.pageIds,
  );
}

async function singleExport(ctx: ExportContext, raw: unknown): Promise<Reply> {
  const body = asObject(raw);
  const pageId = body ? idOf(body.pageId) : undefined;
  if (!pageId) return badRequest(`${CAUSES[400]}: pageId is required`);
  const page = ctx.space.get(pageId);
  if (!page || page.kind !== 'page') return notFound(`page ${pageId}`);
  const fault = ctx.permanentFault([page.id]);
  if (fault) return fault;
  const timeout = await simulateWork(ctx, 1);
  if (timeout) return timeout;
  const markdownBody = archiveBody(ctx.space, page, ctx.settings.linkOrigin);
  if (body?.includeAttachments !== true) {
    return sized(ctx, { status: 200, text: pageMarkdown(page, markdownBody), headers: { 'content-type': 'text/plain; charset=utf-8' } }, [page.id]);
  }
  const archive = buildArchive({
    roots: [page],
    childrenOf: () => [],
    included: new Set([page.id]),
    includeAttachments: true,
    slugCollision: ctx.settings.slugCollision,
    maxAttachmentBytes: ctx.settings.maxAttachmentBytes,
    maxTotalAttachmentBytes: ctx.settings.maxTotalAttachmentBytes,
    renderBody: () => markdownBody,
  });
  return sized(
    ctx,
    json(200, { success: true, exportId: randomUUID(), pageId: page.id, title: page.title, zipBase64: archive.zip.toString('base64') }),
    [page.id],
  );
}

/** Forge functions have a wall-clock limit; the stand-in spends the simulated time for real. */
async function simulateWork(ctx: ExportContext, pages: number): Promise<Reply | undefined> {
  const cost = ctx.settings.exportCostMs * pages;
  const limit = ctx.settings.functionTimeoutMs;
  if (cost > limit) {
    await ctx.sleep(limit);
    return exportError(504, 'FUNCTION_TIMEOUT', `The function timed out after ${limit / 1000} seconds (Forge platform limit)`);
  }
  if (cost > 0) await ctx.sleep(cost);
  return undefined;
}

/** Forge refuses a function response over 5 MB; the app then answers 500. `exported`: the pages the answer holds. */
function sized(ctx: ExportContext, reply: Reply, exported: string[]): Reply {
  const size = Buffer.byteLength(reply.text ?? JSON.stringify(reply.json));
  if (size > ctx.settings.maxResponseBytes) {
    return exportError(
      500,
      'PAYLOAD_TOO_LARGE',
      `Function response payload too large: ${size} bytes exceeds the ${ctx.settings.maxResponseBytes} byte Forge platform limit`,
    );
  }
  return { ...reply, exported };
}
