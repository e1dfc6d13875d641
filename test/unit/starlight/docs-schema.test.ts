/**
 * confluenceDocsSchema(): Starlight's docsSchema({ extend: confluenceSchema }) built once. It must
 * give every entry the loader makes the same data as the per-entry schema does (defaults, Confluence
 * fields, a user's own fields), be built once whatever Astro calls it with, and refuse a value in
 * a field made with image(), which built once it cannot resolve.
 */
import { describe, expect, it } from 'vitest';
import { docsSchema } from '@astrojs/starlight/schema';
import { z } from 'astro/zod';
import { confluenceSchema } from '../../../packages/astro-loader-confluence/src/schema.ts';
import { confluenceDocsSchema } from '../../../packages/astro-loader-confluence/src/starlight/docs-schema.ts';

type Context = Parameters<ReturnType<typeof docsSchema>>[0];
/** As Astro makes one per entry: an image() bound to that entry's file. */
const contextOf = (file: string): Context => ({ image: () => z.string().transform((value) => `${file}:${value}`) }) as unknown as Context;

const entries = [
  { title: 'Home', confluence: { id: '1', position: 0, version: 3, spaceKey: 'DOC', url: 'https://x.atlassian.net/wiki/spaces/DOC/pages/1' } },
  {
    title: 'Setup & <Install>',
    editUrl: false,
    lastUpdated: new Date('2025-01-16T01:20:00Z'),
    sidebar: { order: 2, label: 'Setup' },
    head: [{ tag: 'meta', attrs: { name: 'robots', content: 'noindex' } }],
    confluence: { id: '2', parentId: '1', position: 2, version: 1, folders: [{ id: '9', title: 'F', position: 0 }], docsVersion: { slug: 'v1', label: 'v1', order: 0 } },
  },
  { title: 'Plain', pagefind: false, draft: true, template: 'splash' },
];

describe('confluenceDocsSchema', () => {
  it('gives each entry the data the per-entry docsSchema({ extend: confluenceSchema }) gives it', async () => {
    const once = confluenceDocsSchema();
    const each = docsSchema({ extend: confluenceSchema });
    for (const [i, data] of entries.entries()) {
      const context = contextOf(`entry-${i}.md`);
      const expected = await each(context).safeParseAsync(structuredClone(data));
      const actual = await once(context).safeParseAsync(structuredClone(data));
      expect(expected.success).toBe(true);
      expect(actual).toEqual(expected);
    }
  });

  it('rejects what the per-entry schema rejects', async () => {
    const once = confluenceDocsSchema()(contextOf('a.md'));
    for (const data of [{}, { title: 3 }, { title: 'x', confluence: { id: '1' } }, { title: 'x', template: 'wide' }]) {
      expect((await once.safeParseAsync(data)).success, JSON.stringify(data)).toBe(false);
      expect((await docsSchema({ extend: confluenceSchema })(contextOf('a.md')).safeParseAsync(data)).success).toBe(false);
    }
  });

  it('is built once, whatever context Astro passes', () => {
    let built = 0;
    const schema = confluenceDocsSchema({ extend: () => (built++, z.object({})) });
    const first = schema(contextOf('a.md'));
    expect(schema(contextOf('b.md'))).toBe(first);
    expect(built).toBe(1);
  });

  it('keeps a user extension, as an object or as a function of the context', async () => {
    for (const extend of [z.object({ owner: z.string().default('docs team') }), () => z.object({ owner: z.string().default('docs team') })]) {
      const parsed = await confluenceDocsSchema({ extend })(contextOf('a.md')).parseAsync(structuredClone(entries[1]));
      expect(parsed.owner).toBe('docs team');
      expect(parsed.confluence?.folders).toEqual([{ id: '9', title: 'F', position: 0 }]);
    }
  });

  it('refuses a value in an image() field with an error naming the fix, and accepts the field left out', async () => {
    const schema = confluenceDocsSchema({ extend: ({ image }) => z.object({ cover: image().optional() }) })(contextOf('a.md'));
    expect((await schema.safeParseAsync({ title: 'x' })).success).toBe(true);
    for (const data of [{ title: 'x', cover: './cover.png' }, { title: 'x', hero: { image: { alt: 'a', file: './hero.png' } } }]) {
      const result = await schema.safeParseAsync(data);
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toContain('docsSchema({ extend: confluenceSchema })');
    }
  });
});
