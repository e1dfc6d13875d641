/**
 * What the Markdown Exporter app allows, as its API documentation states it. The planner (export/)
 * and the client (remote/) both obey these numbers, so they live below both.
 */

/** Most pages one `bulkExport` call returns (`maxPages`, default 50, capped at 100). */
export const MAX_PAGES_PER_EXPORT = 100;
