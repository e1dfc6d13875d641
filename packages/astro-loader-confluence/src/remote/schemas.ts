/**
 * The documented shape of every remote answer the loader reads, one schema per endpoint, in one
 * place (contract.md §3). Answers are parsed where they enter (rest-client.ts, export-client.ts,
 * token-provider.ts, endpoints.ts), so every later stage works on typed data, and an answer that
 * lacks a field the loader relies on is an error naming the endpoint and the field: never an
 * empty set, never "not restricted" by default.
 *
 * Objects keep only the fields named here (zod strips the rest); the ones the loader does not need
 * are left out on purpose, so a harmless change elsewhere in an answer does not stop a build.
 */
import { z } from 'zod';
import { ResponseShapeError } from '../errors.ts';

/** Content ids are decimal numbers; v2 writes them as strings, some v1 answers as numbers. */
const contentId = z.union([z.string().regex(/^\d+$/, 'expected a numeric id'), z.number().int().nonnegative()]).transform(String);

/** Space ids: opaque, written as strings or numbers. */
const spaceId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** `_links` of a paged answer: `next` is relative (to `{apiUrl}` for v2, to `{apiUrl}/wiki` for v1). */
const pageLinks = z.object({ next: z.string().min(1).optional(), base: z.string().optional() }).optional();

// ---- Confluence REST v2 ----------------------------------------------------------------------

export const tenantInfoSchema = z.object({ cloudId: z.string().min(1) });

export const spacesByKeySchema = z.object({
  results: z.array(
    z.object({
      id: spaceId,
      key: z.string().min(1),
      name: z.string().optional(),
      homepageId: contentId.nullish(),
    }),
  ),
});

/** A page as v2 lists it. `parentType` says whether the parent is a page or a folder (or other content). */
export const v2PageSchema = z.object({
  id: contentId,
  title: z.string(),
  status: z.string().optional(),
  parentId: contentId.nullish(),
  parentType: z.string().nullish(),
  position: z.number().nullish(),
  spaceId: spaceId.optional(),
  version: z.object({ number: z.number().int().nonnegative(), createdAt: z.string().optional() }),
});
export type V2Page = z.infer<typeof v2PageSchema>;

export const pageListingSchema = z.object({ results: z.array(v2PageSchema), _links: pageLinks });

export const folderSchema = z.object({
  id: contentId,
  title: z.string(),
  parentId: contentId.nullish(),
  parentType: z.string().nullish(),
  position: z.number().nullish(),
});
export type V2Folder = z.infer<typeof folderSchema>;

/** `GET /wiki/api/v2/pages/{id}/attachments`: the file name is `title`; `downloadLink` is relative to `/wiki`. */
export const attachmentListingSchema = z.object({
  results: z.array(
    z.object({
      id: z.string().min(1),
      title: z.string().min(1),
      fileSize: z.number().int().nonnegative(),
      mediaType: z.string().optional(),
      downloadLink: z.string().startsWith('/', 'expected a path under /wiki'),
    }),
  ),
  _links: pageLinks,
});
export type AttachmentInfo = z.infer<typeof attachmentListingSchema>['results'][number];

export const labelListingSchema = z.object({ results: z.array(z.object({ name: z.string() })), _links: pageLinks });

// ---- Confluence REST v1 ----------------------------------------------------------------------

/**
 * Users or groups allowed to read. `size` may count more than `results` holds, and a paged list
 * has a `next` link: either means someone is listed beyond this page.
 */
const restrictionList = z.object({ results: z.array(z.unknown()), size: z.number().int().nonnegative().optional(), _links: pageLinks });
const readRestrictions = z.object({ user: restrictionList, group: restrictionList });

/** `GET /rest/api/content/{id}/restriction/byOperation/read`: the content's own read restriction. */
export const readRestrictionSchema = z.object({ restrictions: readRestrictions });

/** `GET /rest/api/search`: CQL hits. */
export const cqlSearchSchema = z.object({ results: z.array(z.object({ content: z.object({ id: contentId }) })), _links: pageLinks });

/**
 * `GET /rest/api/content/search?expand=restrictions.read.restrictions.user,restrictions.read.restrictions.group,metadata.labels`:
 * each result's own read restrictions and labels. Both expansions must be there: a result without
 * them says nothing about whether the content may be published.
 */
export function contentSearchSchema(options: { restrictions: boolean; labels: boolean }) {
  return z.object({
    results: z.array(
      z.object({
        id: contentId,
        type: z.string(),
        ...(options.restrictions ? { restrictions: z.object({ read: z.object({ restrictions: readRestrictions }) }) } : {}),
        ...(options.labels
          ? {
              metadata: z.object({
                labels: z.object({
                  results: z.array(z.object({ name: z.string() })),
                  size: z.number().int().nonnegative().optional(),
                  _links: pageLinks,
                }),
              }),
            }
          : {}),
      }),
    ),
    _links: pageLinks,
  });
}

// ---- The Markdown Exporter app and OAuth ----------------------------------------------------

/** A successful `bulkExport` / `singleExport` (zip) answer; failures are told apart first (export-client.ts). */
export const exportAnswerSchema = z.object({
  exportId: z.string().optional(),
  pageCount: z.number().int().nonnegative().optional(),
  title: z.string().optional(),
  zipBase64: z.string().min(1, 'expected the zipBase64 archive'),
});

export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  expires_in: z.number().optional(),
});

/**
 * `body` checked against `schema`; otherwise a ResponseShapeError naming the endpoint (redacted
 * URL) and the first fields that do not fit. Values are never quoted: they may be private titles.
 */
export function parseAnswer<S extends z.ZodType>(schema: S, body: unknown, request: { method: string; url: string; status?: number }, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields = result.error.issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ResponseShapeError(`${what} answered with an unexpected shape (${fields.join('; ')}), so the loader cannot be sure what it says and stops.`, { request });
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the answer';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}
