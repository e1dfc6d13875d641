/**
 * The bundled demo, built as `npm run build` builds it: every public page is there with its
 * Confluence title as the only H1, private pages are nowhere, images and attachments are served.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { demoSpace } from 'confluence-stand-in';
import { buildSite, TMP } from '../helpers/site-build.ts';

const dist = inject('demoDist');
const firstBuildOutput = inject('demoBuildOutput');
const html = (path: string) => readFileSync(join(dist, path, 'index.html'), 'utf8');

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(join(dir, d.name)) : [join(dir, d.name)]));
}

describe('the demo site', () => {
  const space = demoSpace();

  it('publishes every public page once, titled with its Confluence title as the only H1', () => {
    const pages = [
      ['', 'Confluence to Starlight'],
      ['getting-started/installation', 'Installation'],
      ['authentication/oauth-20-refresh-flow', 'OAuth 2.0 refresh flow'],
      ['guides/large-spaces/batch-planning', 'Batch planning'],
      ['reference/troubleshooting', 'Troubleshooting'],
    ];
    for (const [path, title] of pages) {
      const page = html(path!);
      const h1s = [...page.matchAll(/<h1[^>]*>(.*?)<\/h1>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
      expect(h1s, path).toEqual([title]);
    }
  });

  it('leaves restricted and excluded pages out of pages, sidebar, search index and links', () => {
    expect(space.pages.length).toBeGreaterThan(20);
    for (const file of allFiles(dist)) {
      if (!/\.(html|js|json|xml|txt)$/.test(file)) continue;
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('RESTRICTED-MARKER-7f3a');
      expect(text, file).not.toContain('EXCLUDED-MARKER-2c9d');
      expect(text, file).not.toContain('Security review notes');
      expect(text, file).not.toContain('Maintainer handbook');
    }
    expect(existsSync(join(dist, 'security-review-notes'))).toBe(false);
    expect(existsSync(join(dist, 'maintainer-handbook'))).toBe(false);
  });

  it('orders the sidebar as Confluence does, with groups named after parent pages', () => {
    const page = html('guides/publishing-a-space');
    const start = page.indexOf('aria-label="Main"');
    expect(start).toBeGreaterThan(0);
    const sidebar = page.slice(start, page.indexOf('</nav>', start));
    const labels = [...sidebar.matchAll(/<(?:span|a)[^>]*>\s*([^<]+?)\s*<\/(?:span|a)>/g)].map((m) => m[1]);
    const order = ['Getting started', 'Authentication', 'Guides', 'Reference'].map((label) => labels.indexOf(label));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const guides = ['Publishing a space', 'Preview deploys', 'Versioned snapshots', 'Large spaces'].map((label) => labels.indexOf(label));
    expect([...guides].sort((a, b) => a - b)).toEqual(guides);
    expect(sidebar).toContain('aria-current="page"');
  });

  it('serves images through the image pipeline and other attachments at stable URLs', () => {
    const home = html('');
    const images = [...home.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]!).filter((src) => src.startsWith('/_astro/'));
    expect(images.length).toBeGreaterThan(0);
    for (const src of images) expect(existsSync(join(dist, decodeURI(src)))).toBe(true);
    const reference = html('reference');
    const pdf = /href="(\/_attachments\/[^"]+\.pdf)"/.exec(reference)?.[1];
    expect(pdf).toBeDefined();
    expect(existsSync(join(dist, decodeURI(pdf!)))).toBe(true);
  });

  it('rewrites links between pages to site paths that exist', () => {
    for (const file of allFiles(dist).filter((f) => f.endsWith('.html'))) {
      const page = readFileSync(file, 'utf8');
      for (const [, href] of page.matchAll(/<a[^>]+href="([^"]+)"/g)) {
        expect(href, file).not.toMatch(/atlassian\.net|127\.0\.0\.1|viewpage\.action|\/wiki\//);
        if (!href!.startsWith('/') || href!.startsWith('//')) continue;
        const path = decodeURI(href!.split('#')[0]!.split('?')[0]!);
        const target = join(dist, path);
        expect(existsSync(target) || existsSync(join(target, 'index.html')), `${file} → ${href}`).toBe(true);
      }
    }
  });
});

describe('rebuilding the demo', () => {
  /** "19 to export" per part (live, each version), from the loader's plan line. */
  const toExport = (output: string) => [...output.matchAll(/\d+ pages to publish, \d+ left out \([^)]*\), (\d+) to export/g)].map((m) => Number(m[1]));

  it('makes no export call when nothing changed, though the stand-in listens on another port', async () => {
    expect(toExport(firstBuildOutput).length).toBe(2);
    expect(toExport(firstBuildOutput).every((n) => n > 0)).toBe(true);
    // The second `npm run build` in a row: the first build's cache, a new stand-in on a new port.
    const cacheDir = join(TMP, 'demo-rebuild', 'cache');
    rmSync(cacheDir, { recursive: true, force: true });
    cpSync(join(dist, '..', 'cache'), cacheDir, { recursive: true });
    const build = await buildSite('demo-rebuild', {}, { cacheDir });
    expect(build.code, build.output).toBe(0);
    expect(toExport(build.output)).toEqual([0, 0]);
    expect(build.output).not.toMatch(/exported \d+\/\d+ batches/);
  });
});
