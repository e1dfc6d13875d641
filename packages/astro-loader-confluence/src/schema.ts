/**
 * The data each entry carries. With Starlight, extend its schema so the Confluence fields survive
 * validation (the sidebar plugin reads them): `docsSchema({ extend: confluenceSchema })`.
 */
import { z } from 'astro/zod';

const confluenceFields = z.object({
  id: z.string(),
  parentId: z.string().optional(),
  position: z.number(),
  version: z.number(),
  spaceKey: z.string().optional(),
  url: z.string().optional(),
  /** The Confluence folders between this page and its parent page, nearest first: groups without a page. */
  folders: z.array(z.object({ id: z.string(), title: z.string(), position: z.number(), parentId: z.string().optional() })).optional(),
  /** Set on the pages of a frozen version (versions.ts). */
  docsVersion: z.object({ slug: z.string(), label: z.string(), order: z.number() }).optional(),
});

/** Extension for Starlight's `docsSchema({ extend })`. */
export const confluenceSchema = z.object({
  confluence: confluenceFields.optional(),
});

/** The schema the loader declares when the collection names none (outside Starlight). */
export const confluenceDataSchema = z.object({
  title: z.string(),
  lastUpdated: z.date().optional(),
  editUrl: z.union([z.string(), z.literal(false)]).optional(),
  sidebar: z.object({ order: z.number(), label: z.string() }).optional(),
  confluence: confluenceFields,
});

export type ConfluenceEntryData = z.infer<typeof confluenceDataSchema>;
