/**
 * A new user's first build: a fresh Starlight site outside this workspace, the loader installed
 * from its packed tarball (and everything else from the registry), the README's snippets pasted
 * into it as they stand, built against the stand-in. What the user must see: the Confluence tree
 * as the sidebar, images and a PDF served, starlight-links-validator passing, and no warning from
 * this package.
 *
 * Needs the npm registry (CI has it); npm's cache makes a repeated run fast.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Code, Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toString as hastText } from 'hast-util-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSpace, loaderEnv, start, type StandIn } from 'confluence-stand-in';
import { npmInstall, packWorkspacePackage, workspaceVersion } from '../helpers/pack.ts';
import { buildProject, PROJECT_ROOT, type SiteBuild } from '../helpers/site-build.ts';

const SECTION = 'Add it to an existing Starlight site';

/** The fenced blocks of one `##` section of a README, parsed with remark (mdast), in order. */
export function sectionCode(markdown: string, title: string): Code[] {
  const tree = unified().use(remarkParse).parse(markdown) as Root;
  const start = tree.children.findIndex((node) => node.type === 'heading' && (node as Heading).depth === 2 && toString(node) === title);
  if (start < 0) throw new Error(`No "## ${title}" section`);
  const end = tree.children.findIndex((node, i) => i > start && node.type === 'heading' && (node as Heading).depth <= 2);
  return tree.children.slice(start, end < 0 ? undefined : end).filter((node): node is Code => node.type === 'code');
}

/** Blocks that are files say so on their first line (`// src/content.config.ts`). */
function snippetFiles(blocks: Code[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const block of blocks) {
    const path = /^\/\/ (\S+\.(?:ts|mjs|js))$/.exec(block.value.split('\n')[0]!)?.[1];
    if (path) files.set(path, `${block.value}\n`);
  }
  return files;
}

/** The packages of the section's `npm install …` line. */
function installedPackages(blocks: Code[]): string[] {
  const line = blocks.flatMap((b) => b.value.split('\n')).find((l) => l.startsWith('npm install '));
  if (!line) throw new Error(`No npm install line in "## ${SECTION}"`);
  return line.split(/\s+/).slice(2);
}

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const blocks = sectionCode(readme, SECTION);

describe('the README, pasted into a fresh Starlight site', () => {
  let site: string;
  let standIn: StandIn;
  let build: SiteBuild;
  const html = (path: string) => fromHtml(readFileSync(join(site, 'dist', path, 'index.html'), 'utf8'));

  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'fresh-starlight-'));
    const { tarball } = packWorkspacePackage('astro-loader-confluence');
    writeFileSync(join(site, 'package.json'), `${JSON.stringify({ name: 'my-docs', private: true, type: 'module' }, null, 2)}\n`);
    // What `npm create astro -- --template starlight` starts from, then the README's own line.
    const fromReadme = installedPackages(blocks).map((name) => (name === 'astro-loader-confluence' ? tarball : `${name}@${workspaceVersion(name)}`));
    npmInstall(site, [`astro@${workspaceVersion('astro')}`, `@astrojs/starlight@${workspaceVersion('@astrojs/starlight')}`, ...fromReadme]);
    for (const [path, text] of snippetFiles(blocks)) {
      mkdirSync(dirname(join(site, path)), { recursive: true });
      writeFileSync(join(site, path), text);
    }

    // Every page public, so that no link points at an unpublished page: any warning left would be noise.
    const space = demoSpace();
    standIn = await start({ port: 0, space, linkSite: space.site });
    for (const page of standIn.space.all()) if (page.restricted) standIn.space.setRestricted(page.id, false);
    build = await buildProject(site, { ...loaderEnv(standIn), CONFLUENCE_SITE: space.site });
  }, 600_000);

  afterAll(async () => {
    await standIn?.stop();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  it('pastes two files from the README, both in the package README too', () => {
    const files = snippetFiles(blocks);
    expect([...files.keys()].sort()).toEqual(['astro.config.mjs', 'src/content.config.ts']);
    const own = snippetFiles(sectionCode(readFileSync(join(PROJECT_ROOT, 'packages/astro-loader-confluence/README.md'), 'utf8'), 'Add it to a Starlight site'));
    expect(own).toEqual(files);
  });

  it('builds, with the links validator passing', () => {
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain('All internal links are valid.');
  });

  it('shows the Confluence tree as the sidebar, in Confluence order', () => {
    const sidebar = select('nav[aria-label="Main"]', html('guides/publishing-a-space'));
    expect(sidebar).toBeDefined();
    const labels = selectAll('summary, a', sidebar!).map((node) => hastText(node).trim());
    const top = ['Getting started', 'Authentication', 'Guides', 'Reference', 'Security review notes', 'Maintainer handbook'].map((label) => labels.indexOf(label));
    expect(top.every((i) => i >= 0), labels.join(' | ')).toBe(true);
    expect([...top].sort((a, b) => a - b)).toEqual(top);
    expect(select('a[aria-current="page"]', sidebar!)?.properties.href).toBe('/guides/publishing-a-space/');
  });

  it('serves an image through the image pipeline and a PDF attachment', () => {
    const images = selectAll('main img', html('')).map((img) => String(img.properties.src));
    expect(images.some((src) => /^\/_astro\/diagram\.[^/]+\.webp$/.test(src)), images.join(' ')).toBe(true);
    for (const src of images.filter((s) => s.startsWith('/_astro/'))) expect(existsSync(join(site, 'dist', decodeURI(src))), src).toBe(true);
    const pdf = selectAll('main a', html('reference')).map((a) => String(a.properties.href)).find((href) => href.endsWith('.pdf'));
    expect(pdf).toMatch(/^\/_attachments\/\d+\/quick-reference\.pdf$/);
    expect(readFileSync(join(site, 'dist', decodeURI(pdf!))).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('prints no warning that comes from this package', () => {
    // A warning is a line Astro's logger marks [WARN] (or Vite's "warning"), with its indented continuation.
    const lines = build.output.split('\n');
    const warnings: string[] = [];
    lines.forEach((line, i) => {
      if (!/\[WARN\]|\bwarning\b/i.test(line)) return;
      let end = i + 1;
      while (end < lines.length && /^\s+\S/.test(lines[end]!) && !/^\d\d:\d\d:\d\d /.test(lines[end]!)) end++;
      warnings.push(lines.slice(i, end).join('\n'));
    });
    expect(warnings.filter((warning) => /astro-loader-confluence|confluence/i.test(warning))).toEqual([]);
  });
});
