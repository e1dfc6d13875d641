/**
 * A page's rendered HTML depends on more than its Markdown: a raw-HTML link to another page is
 * resolved by the pass over the rendered HTML. When that other page is restricted later, the
 * linking page's Markdown is unchanged, yet its published HTML must lose the link and the id.
 * Real builds sharing one cache: the second renders exactly the page whose links changed, the
 * third (another page edited) leaves it alone.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type SpaceSpec, type StandIn } from 'confluence-stand-in';
import { solidPng } from '../../packages/confluence-stand-in/src/png.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const TARGET = '7200000003';

const space: SpaceSpec = {
  key: 'RER',
  name: 'Rerender',
  id: '740001',
  site: 'rerender.atlassian.net',
  pages: [
    { id: '7200000001', title: 'Rerender Home', position: 0, body: 'The home page.\n' },
    {
      id: '7200000002',
      title: 'Linking Page',
      parentId: '7200000001',
      position: 1,
      body: `<p>Raw: <a href="https://rerender.atlassian.net/wiki/spaces/RER/pages/${TARGET}/Soon+Private">to the target</a> and <img src="/wiki/download/attachments/${TARGET}/target.png" alt="target image"></p>\n`,
    },
    // In a folder of its own in the archive, so that its file is unambiguously its own.
    { id: '7200000004', title: 'Section', parentId: '7200000001', position: 2, body: 'A section.\n' },
    { id: TARGET, title: 'Soon Private', parentId: '7200000004', position: 0, body: 'SOON-PRIVATE-MARKER ![its image](attachments/target.png)\n', attachments: [{ fileName: 'target.png', mediaType: 'image/png', data: solidPng(8, 8, [10, 200, 10]) }] },
  ],
};

describe('a page whose raw-HTML link target is restricted later', () => {
  let standIn: StandIn;
  let first: SiteBuild;
  let second: SiteBuild;
  let third: SiteBuild;
  const cacheDir = join(TMP, 'html-rerender', 'shared-cache');
  const content = (build: SiteBuild) => {
    const html = readFileSync(join(build.outDir, 'linking-page', 'index.html'), 'utf8');
    return html.slice(html.indexOf('sl-markdown-content'), html.indexOf('<footer', html.indexOf('sl-markdown-content')));
  };

  beforeAll(async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    standIn = await start({ port: 0, space });
    first = await buildSite('html-rerender-1', standInEnv(standIn), { cacheDir });
    if (first.code !== 0) throw new Error(first.output);
    standIn.space.setRestricted(TARGET, true);
    second = await buildSite('html-rerender-2', standInEnv(standIn), { cacheDir });
    if (second.code !== 0) throw new Error(second.output);
    standIn.space.updatePage('7200000001', { body: 'The home page, changed.\n' });
    third = await buildSite('html-rerender-3', standInEnv(standIn), { cacheDir });
    if (third.code !== 0) throw new Error(third.output);
  }, 900_000);
  afterAll(async () => {
    await standIn?.stop();
  });

  it('links to the target in the site while it is published', () => {
    expect(content(first)).toContain('<a href="/section/soon-private/">to the target</a>');
    expect(content(first)).toContain(`/_attachments/${TARGET}/target.png`);
  });

  it('renders the linking page again once the target is restricted, and nothing else', () => {
    expect(second.output).toMatch(/\(0 exported in 0 calls, 1 rendered\)/);
    const html = content(second);
    expect(html).toContain('to the target');
    expect(html).toContain('target image');
    expect(html).not.toContain('<a href=');
    expect(html).not.toContain(TARGET);
  });

  it('leaves a page whose links still resolve as they did alone when another page changes', () => {
    expect(third.output).toMatch(/\(1 exported in 1 calls, 1 rendered\)/);
    expect(content(third)).toBe(content(second));
  });
});
