/**
 * `entryBody` (CONFLUENCE_ENTRY_BODY): a collection over the threshold is stored without each
 * entry's Markdown `body`, to keep Astro's data store (bundled into the build whole) small, and the
 * site is the same page for page. Real builds sharing one cache: the policy is part of what an
 * entry's digest covers, so switching it back brings the bodies back instead of keeping stale entries.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type SpaceSpec, type StandIn } from 'confluence-stand-in';
import { fingerprint } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

/** Markdown only a body holds: the rendered HTML has `<strong>` instead of the asterisks. */
const marker = (n: number) => `BODY-MARKER-${n} **bold ${n}**`;

const space: SpaceSpec = {
  key: 'EBD',
  name: 'Entry bodies',
  id: '750001',
  site: 'entry-body.atlassian.net',
  pages: [
    { id: '7500000001', title: 'Bodies Home', position: 0, body: `${marker(1)}\n` },
    { id: '7500000002', title: 'First Child', parentId: '7500000001', position: 0, body: `## A heading\n\n${marker(2)}\n` },
    { id: '7500000003', title: 'Second Child', parentId: '7500000001', position: 1, body: `${marker(3)}\n\n- a list\n` },
  ],
};

describe('entryBody: a collection over the threshold is stored without bodies, and the site stays the same', () => {
  let standIn: StandIn;
  const builds: SiteBuild[] = [];
  /** Astro's data store as each build left it (the builds share one cache). */
  const stores: string[] = [];
  const cacheDir = join(TMP, 'entry-body', 'shared-cache');
  const pages = (build: SiteBuild) => Object.fromEntries(Object.entries(fingerprint(build.outDir)).filter(([path]) => path.endsWith('.html')));

  beforeAll(async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    standIn = await start({ port: 0, space });
    // The default keeps bodies (3 pages); 2 is below the space; unset again is the default.
    for (const [i, entryBody] of [undefined, '2', undefined].entries()) {
      const build = await buildSite(`entry-body-${i + 1}`, standInEnv(standIn, entryBody ? { CONFLUENCE_ENTRY_BODY: entryBody } : {}), { cacheDir });
      if (build.code !== 0) throw new Error(build.output);
      builds.push(build);
      stores.push(readFileSync(join(cacheDir, 'data-store.json'), 'utf8'));
    }
  }, 900_000);
  afterAll(async () => {
    await standIn?.stop();
  });

  it('keeps every body by default for a small space, and says nothing about it', () => {
    const text = stores[0]!;
    for (const n of [1, 2, 3]) expect(text).toContain(marker(n));
    expect(builds[0]!.output).not.toContain('stored without their Markdown body');
  });

  it('stores no body over the threshold, says why in the log, and publishes the same pages byte for byte', () => {
    const text = stores[1]!;
    for (const n of [1, 2, 3]) {
      expect(text).not.toContain(marker(n));
      // The content is still there, rendered (devalue writes `<` as \u003C).
      expect(text).toMatch(new RegExp(`BODY-MARKER-${n} (<|\\\\u003C)strong>bold ${n}`));
    }
    expect(builds[1]!.output).toMatch(/Entries are stored without their Markdown body \(entry\.body\) to save build memory: 3 pages is over entryBody: 2\./);
    const before = pages(builds[0]!);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(3);
    expect(pages(builds[1]!)).toEqual(before);
  });

  it('brings the bodies back when the policy does, instead of keeping the entries stored without them', () => {
    const text = stores[2]!;
    for (const n of [1, 2, 3]) expect(text).toContain(marker(n));
    expect(pages(builds[2]!)).toEqual(pages(builds[0]!));
  });
});
