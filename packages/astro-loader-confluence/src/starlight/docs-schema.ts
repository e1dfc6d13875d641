/**
 * Starlight's `docsSchema({ extend: confluenceSchema })` for a collection this loader fills, built
 * once instead of once per entry.
 *
 * Astro calls a collection's schema function again for every entry it validates (its
 * `getEntryData`), so that `image()` can resolve a path against that entry's file; building
 * Starlight's frontmatter schema takes 1 to 2 ms, which at 8,000 pages was 10 to 17 s of a cold
 * build (`bench/README.md`), against a tenth of a second to validate them all with one schema.
 * The loader never writes an image field (a Confluence page has no hero image), so nothing needs a
 * per-entry `image()`: here it is a field no value passes, with an error that says why.
 */
import { docsSchema } from '@astrojs/starlight/schema';
import { z } from 'astro/zod';
import { confluenceSchema } from '../schema.ts';

type SchemaContext = Parameters<ReturnType<typeof docsSchema>>[0];
/** The Confluence fields with the user's own: what `confluenceSchema.extend(user.shape)` gives. */
type WithConfluence<T extends z.ZodObject> = ReturnType<typeof confluenceSchema.extend<T['shape']>>;

const noImage = () =>
  z.never({
    error: 'confluenceDocsSchema() has no image() fields: the loader never writes one. Use docsSchema({ extend: confluenceSchema }) for a collection whose entries carry images.',
  });

export function confluenceDocsSchema<T extends z.ZodObject = z.ZodObject<{}>>(options: { extend?: T | ((context: SchemaContext) => T) } = {}): ReturnType<typeof docsSchema<WithConfluence<T>>> {
  const { extend } = options;
  const schema = docsSchema({
    extend: (context: SchemaContext): WithConfluence<T> => {
      const user = typeof extend === 'function' ? extend(context) : extend;
      return confluenceSchema.extend((user?.shape ?? {}) as T['shape']);
    },
  });
  const build = (context: SchemaContext) => schema({ ...context, image: noImage as unknown as SchemaContext['image'] });
  let built: ReturnType<typeof build> | undefined;
  return (context: SchemaContext) => (built ??= build(context));
}
