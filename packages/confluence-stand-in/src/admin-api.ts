/**
 * The stand-in's own admin API, for changing the space while the loader (or `astro dev`) reads
 * it, as a writer would in Confluence. Not part of any Atlassian API; served under `/_admin/` on
 * 127.0.0.1 only, without authentication. Every content change is a new page version, so an
 * incremental sync picks it up.
 *
 *   GET    /_admin/pages                       every page (no bodies)
 *   GET    /_admin/pages/{id}                  one page, body included
 *   PUT    /_admin/pages/{id}                  {"title"?, "body"?}: edit (a new version)
 *   POST   /_admin/pages                       {"title", "parentId"?, "position"?, "body"?, "labels"?}: add
 *   DELETE /_admin/pages/{id}[?descendants=1]  delete (children move up, or go too)
 *   PUT    /_admin/pages/{id}/labels           {"labels": [...]}
 *   PUT    /_admin/pages/{id}/restriction      {"restricted": true | false}
 */
import { json, type Reply } from './reply.ts';
import type { Page, Space } from './space.ts';

export const ADMIN_PREFIX = '/_admin/';

function summary(page: Page) {
  return {
    id: page.id,
    title: page.title,
    parentId: page.parentId,
    position: page.position,
    version: page.version,
    labels: page.labels,
    restricted: Boolean(page.restricted),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown) => value === undefined || typeof value === 'string';

export function handleAdmin(space: Space, method: string, path: string, query: URLSearchParams, body: unknown): Reply {
  const parts = path.slice(ADMIN_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'pages') return json(404, { message: `No admin route for ${method} ${path}` });
  const [, id, sub] = parts;
  const page = id === undefined ? undefined : space.get(id);
  if (id !== undefined && !page) return json(404, { message: `No page ${id}` });
  try {
    if (id === undefined) {
      if (method === 'GET') return json(200, { pages: space.subtree(undefined).map(summary) });
      if (method !== 'POST') return json(405, { message: 'Use GET or POST' });
      if (!isObject(body) || typeof body.title !== 'string' || !optionalString(body.parentId) || !optionalString(body.body)) {
        return json(400, { message: 'Send {"title": "…", "parentId"?: "…", "position"?: n, "body"?: "…", "labels"?: [...]}' });
      }
      const added = space.addPage({
        title: body.title,
        parentId: body.parentId as string | undefined,
        position: typeof body.position === 'number' ? body.position : undefined,
        body: body.body as string | undefined,
        labels: Array.isArray(body.labels) ? body.labels.map(String) : undefined,
      });
      return json(201, summary(added));
    }
    if (sub === undefined) {
      if (method === 'GET') return json(200, { ...summary(page!), body: page!.body });
      if (method === 'DELETE') {
        space.deletePage(id, { descendants: query.get('descendants') === '1' || query.get('descendants') === 'true' });
        return { status: 204 };
      }
      if (method !== 'PUT') return json(405, { message: 'Use GET, PUT or DELETE' });
      if (!isObject(body) || !optionalString(body.title) || !optionalString(body.body) || (body.title === undefined && body.body === undefined)) {
        return json(400, { message: 'Send {"title"?: "…", "body"?: "…"} with at least one of them' });
      }
      return json(200, summary(space.updatePage(id, { title: body.title as string | undefined, body: body.body as string | undefined })));
    }
    if (method !== 'PUT') return json(405, { message: 'Use PUT' });
    if (sub === 'labels' && isObject(body) && Array.isArray(body.labels)) return json(200, summary(space.setLabels(id, body.labels.map(String))));
    if (sub === 'restriction' && isObject(body) && typeof body.restricted === 'boolean') return json(200, summary(space.setRestricted(id, body.restricted)));
    return json(400, { message: 'Send {"labels": [...]} to …/labels or {"restricted": true|false} to …/restriction' });
  } catch (error) {
    return json(400, { message: (error as Error).message });
  }
}
