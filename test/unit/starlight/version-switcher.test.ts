/**
 * The version switcher's index is built once per build; a page's menu must still lead somewhere in
 * a version that has neither this page nor a home page.
 */
import { describe, expect, it } from 'vitest';
import { indexVersions, versionMenu, type DocsVersionRef, type VersionedEntry } from '../../../packages/astro-loader-confluence/src/starlight/version-switcher.ts';

const v1: DocsVersionRef = { slug: 'v1', label: 'v1.0', order: 0 };
const page = (id: string, pageId: string, docsVersion?: DocsVersionRef): VersionedEntry => ({
  id,
  data: { title: id, confluence: { id: pageId, ...(docsVersion ? { docsVersion } : {}) } },
});

describe('versionMenu', () => {
  it("leads to the version's first page when it has neither this page nor a home page", () => {
    const entries = [page('index', '1'), page('guides', '2'), page('v1/old/intro', '30', v1), page('v1/old', '31', v1)];
    const menu = versionMenu(indexVersions(entries), entries[1]!, '/', 'Latest');
    expect(menu.map((item) => item.href)).toEqual(['/guides/', '/v1/old/intro/']);
  });
});
