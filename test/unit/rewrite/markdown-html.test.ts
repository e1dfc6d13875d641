/**
 * The Markdown that `confluence-export export` writes (rewrite/markdown-html.ts): whatever renders
 * it afterwards, it must carry no script. Each case is rendered the way Astro renders Markdown
 * (Sätteri, raw HTML passed through, link URLs as written) and the HTML is searched, parsed.
 */
import { markdownToHtml } from 'satteri';
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../../packages/astro-loader-confluence/src/rewrite/html-tree.ts';
import { sanitizeMarkdownHtml } from '../../../packages/astro-loader-confluence/src/rewrite/markdown-html.ts';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

async function rendered(markdown: string): Promise<string> {
  return (await markdownToHtml(markdown, { features: { gfm: true } })).html;
}

/** Active content in rendered HTML: code-running elements, handlers, URLs with another scheme than http(s), mailto, tel. */
function active(html: string): string[] {
  const found: string[] = [];
  const stack = [...parseHtml(html).children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    if (/^(?:script|style|iframe|object|embed|base|meta|form|svg|math|template|noscript)$/.test(node.tagName)) found.push(`<${node.tagName}>`);
    for (const [name, value] of Object.entries(node.properties)) {
      if (/^on/i.test(name)) found.push(`${node.tagName}[${name}]`);
      if (['href', 'src', 'srcSet', 'action', 'formAction', 'poster', 'cite', 'data'].includes(name) && /^\s*(?!https?:|mailto:|tel:)[a-z][a-z0-9+.-]*:/i.test(String(value).replace(/[\t\n\r]/g, ''))) {
        found.push(`${node.tagName}[${name}=${String(value)}]`);
      }
    }
    stack.push(...node.children);
  }
  return found;
}

const safe = (markdown: string) => sanitizeMarkdownHtml(markdown, fixtureContext()).markdown;

describe('the exported Markdown carries no script, whatever renders it', () => {
  it.each([
    // Removals that used to join their neighbours into new markup: hostile once the junk is deleted.
    ['x <<x>img src=x onerror=alert(1)> y', '<x>'],
    ['x <scr<script>x</script>ipt>alert(1)</script> y', '<script>x</script>'],
    ['[t]<x>(javascript:alert(1))', '<x>'],
    ['<java<x>script:alert(1)>', '<x>'],
    ['<img <x> src=x onerror=alert(1)>', '<x>'],
    ['a <img\n<script>\n</script>\nsrc=x onerror=alert(1)>', '\n<script>\n</script>'],
    // Hostile as written: Markdown URLs in every form.
    ['[a](javascript:alert(1)) ![b](javascript:alert(1)) [c][r] <javascript:alert(1)>\n\n[r]: javascript:alert(1)', ''],
    ['[a](JaVaScRiPt:alert(1)) [b](vbscript:x) [c](data:text/html,<script>alert(1)</script>) [d](java&#x09;script:alert(1))', ''],
    // Raw HTML the parser and a regular expression disagree on.
    ['<a href="java&#x09;script:alert(1)">t</a> <a href="&#106;avascript:alert(1)">u</a>', ''],
    ['<div title="x\n\n" onmouseover="alert(1)">y</div>', '\n\n'],
    ['<!-- a --!><img src=x onerror=alert(1)> -->', ''],
    ['<svg onload=alert(1)><circle r=1 /></svg>', ''],
    ['<details open ontoggle=alert(1)><summary>s</summary>\n\n**md**\n\n</details>', ''],
  ])('%s', async (markdown, junk) => {
    expect(active(await rendered(junk ? markdown.replace(junk, '') : markdown)).length, 'the case is hostile').toBeGreaterThan(0);
    const out = safe(markdown);
    expect(active(await rendered(out))).toEqual([]);
    // Nothing left to do: the output is its own fixpoint.
    expect(safe(out)).toBe(out);
  });

  it('drops a <body> tag, whose attributes a browser would move onto the page’s own body', () => {
    const out = safe('a <body onload=alert(1)> b\n');
    expect(out).not.toMatch(/<body|onload/);
  });

  it('keeps HTML that is safe, byte for byte, and an expand macro split across blocks intact', async () => {
    const markdown = '<details><summary>More</summary>\n\nHidden **Markdown**\n\n</details>\n\nKeep <br/> <sup>1</sup> <kbd>Ctrl</kbd> <span class="status-macro aui-lozenge">DONE</span>\n';
    expect(safe(markdown)).toBe(markdown);
    expect(await rendered(safe(markdown))).toMatch(/<details><summary>More<\/summary>\s*<p>Hidden <strong>Markdown<\/strong><\/p>\s*<\/details>/);
  });

  it('removes a block of nothing but unsafe HTML without a trace', () => {
    expect(safe('a\n\n<script>alert(1)</script>\n\nb\n')).toBe('a\n\nb\n');
    expect(safe('a\n\n<object data="x"></object><embed src="x">\n\nb\n')).toBe('a\n\nb\n');
    expect(safe('a <script>steal()</script> b\n')).toBe('a <span></span> b\n');
  });

  it('resolves links in raw HTML like the site does, and reports links to unpublished pages', () => {
    const rewritten = rewritePage('# T\n\n<a href="https://acme.atlassian.net/wiki/spaces/DOC/pages/300">notes</a> and <a href="/wiki/spaces/DOC/pages/666/Secret+Plans">https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans</a>\n', fixtureContext());
    const result = sanitizeMarkdownHtml(rewritten.markdown, fixtureContext());
    expect(result.markdown).toContain('<a href="/docs/release-notes/">notes</a> and ');
    expect(result.markdown).toContain('(not published)');
    expect(result.markdown).not.toMatch(/666|Secret/);
    // The rewrite already dropped the href that names the restricted page (rewrite/scrub.ts) and
    // the link its text makes (a bare URL), and reports both.
    expect([...rewritten.unresolved, ...result.unresolved].map((u) => [u.fromPageId, u.reason])).toEqual([['200', 'restricted'], ['200', 'restricted']]);
  });
});
