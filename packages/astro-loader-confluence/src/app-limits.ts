/**
 * What the Markdown Exporter app allows, as its API documentation states it. The planner (export/)
 * and the client (remote/) both obey these numbers, so they live below both.
 */

/** Most pages one `bulkExport` call returns (`maxPages`, default 50, capped at 100). */
export const MAX_PAGES_PER_EXPORT = 100;

/** The app leaves out any attachment larger than this (300 KB)… */
export const MAX_EXPORTED_ATTACHMENT_BYTES = 300 * 1024;

/** …and every attachment past this total (2 MB) in one export. */
export const MAX_ATTACHMENT_BYTES_PER_EXPORT = 2 * 1024 * 1024;
