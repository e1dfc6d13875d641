/**
 * Placeholders (issue 12): what a page shows for a file the site cannot have and for a macro the
 * exporter could not convert, checked as the reader gets it: the rewritten Markdown rendered by
 * Astro's own Markdown processor, then through the pass over the rendered HTML. Hostile file and
 * macro names must stay text, the note must survive the sanitiser with its class and role, no
 * `<img>` may be left for a missing file, and nothing may point into Confluence.
 */
import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import type { Element } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { toString } from 'hast-util-to-string';
import { describe, expect, it } from 'vitest';
import { rewritePage, type RewriteContext } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { sanitizeMarkdownHtml } from '../../../packages/astro-loader-confluence/src/rewrite/markdown-html.ts';
import { sanitizeRenderedPage } from '../../../packages/astro-loader-confluence/src/rewrite/rendered-html.ts';
import { unknownMacroName } from '../../../packages/astro-loader-confluence/src/rewrite/unknown-macros.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const renderer = await createSatteriMarkdownProcessor();

/** The page as published: rewritten, rendered, sanitised; with the warnings of both passes. */
async function publish(markdown: string, ctx: RewriteContext = fixtureContext()) {
  const rewritten = rewritePage(`# Current Page\n\n${markdown}`, ctx);
  const rendered = (await renderer.render(rewritten.markdown)).code;
  const safe = sanitizeRenderedPage(rewritten.markdown, rendered, ctx);
  const tree = fromHtml(safe.html, { fragment: true });
  return { markdown: rewritten.markdown, html: safe.html, tree, warnings: [...rewritten.warnings, ...safe.warnings] };
}

const notes = (tree: ReturnType<typeof fromHtml>, kind: 'missing-file' | 'unknown-macro') =>
  selectAll(`span.confluence-placeholder.confluence-${kind}[role="note"]`, tree).map((el) => toString(el));
const elements = (tree: ReturnType<typeof fromHtml>, selector: string) => selectAll(selector, tree) as Element[];

/** Nothing a browser would run or follow into Confluence, and no element the page did not mean. */
function expectInert(tree: ReturnType<typeof fromHtml>) {
  for (const el of elements(tree, '*')) {
    for (const [name, value] of Object.entries(el.properties)) {
      expect(name, `<${el.tagName}>`).not.toMatch(/^on/i);
      expect(String(value)).not.toMatch(/javascript:|atlassian\.net/i);
    }
  }
}

describe('a file the site cannot have', () => {
  it('is a note naming the file, for images and links, in Markdown and raw HTML; never an <img>', async () => {
    const { tree, html } = await publish(
      'See ![Architecture](attachments/missing-diagram.png), the [spec](attachments/missing-spec.pdf) and <img src="attachments/missing-raw.png" alt="raw"> or <a href="/wiki/download/attachments/300/missing-raw.pdf">raw link</a>.\n',
    );
    expect(notes(tree, 'missing-file')).toEqual([
      'File not available: missing-diagram.png (Architecture)',
      'File not available: missing-spec.pdf',
      'File not available: missing-raw.png (raw)',
      'File not available: missing-raw.pdf',
    ]);
    // The link's own words stay beside its note.
    expect(toString(tree)).toContain('the spec File not available: missing-spec.pdf');
    expect(toString(tree)).toContain('raw link File not available: missing-raw.pdf');
    expect(elements(tree, 'img')).toEqual([]);
    expect(elements(tree, 'a')).toEqual([]);
    expectInert(tree);
    expect(html).not.toContain('/wiki/download');
  });

  it('covers reference-style links and images too: served ones are linked from the site, missing ones are notes', async () => {
    const { tree, html, markdown } = await publish(
      'See [the spec][s], [o][], [o] and ![pic][p] ![ok][q]; also [secret][r].\n\n[s]: attachments/missing-spec.pdf\n[o]: attachments/a.pdf "Title"\n[p]: attachments/missing-pic.png\n[q]: attachments/b.png\n[r]: /wiki/download/attachments/666/org-chart.png\n',
    );
    expect(notes(tree, 'missing-file')).toEqual(['File not available: missing-spec.pdf', 'File not available: missing-pic.png (pic)']);
    expect(elements(tree, 'a').map((a) => a.properties.href)).toEqual(['/_attachments/200/a.pdf', '/_attachments/200/a.pdf']);
    expect(elements(tree, 'img').map((img) => img.properties.src)).toEqual(['/_attachments/200/b.png']);
    // Before, the definitions stayed relative (a broken link on the site); none is left now.
    expect(markdown).not.toMatch(/^\[[a-z]\]:/m);
    expect(html).not.toMatch(/666|org-chart|missing-spec\.pdf"/);
    expectInert(tree);
  });

  it('keeps hostile file names as text, in every syntax', async () => {
    const names = ['<img src=x onerror=alert(1)>.png', '](javascript:alert(1)).png', '*x*`y`[z](javascript:alert(1)) <b onmouseover=alert(1)>b.png', '&lt;b&gt;.png'];
    for (const name of names) {
      const encoded = encodeURIComponent(`missing ${name}`);
      for (const source of [`![](attachments/${encoded})`, `[file](attachments/${encoded})`, `<img src="attachments/${encoded}">`, `| a |\n| - |\n| ![](attachments/${encoded}) |`, `> - [x](attachments/${encoded}) and more`]) {
        const { tree } = await publish(`${source}\n`);
        expect(notes(tree, 'missing-file'), source).toEqual([`File not available: missing ${name}`]);
        expect(elements(tree, 'img, a, b, em, code'), source).toEqual([]);
        expectInert(tree);
      }
    }
  });

  it('cannot join its neighbours into markup, nor end the paragraph or table row it stands in', async () => {
    const { tree } = await publish('<img ![x](attachments/missing-join.png) src=x onerror=alert(1)>\n\n| a | b |\n| - | - |\n| ![](attachments/missing%0A%0A%23%20h.png) | c |\n');
    expect(elements(tree, 'img, h1, h2')).toEqual([]);
    expect(notes(tree, 'missing-file')).toEqual(['File not available: missing-join.png (x)', 'File not available: missing # h.png']);
    expect(elements(tree, 'td').map((td) => toString(td))).toEqual(['File not available: missing # h.png', 'c']);
    expectInert(tree);
  });

  it('names no file of a page that is not published, whatever the option', async () => {
    for (const missingFiles of ['placeholder', 'confluence'] as const) {
      const { tree, html, warnings } = await publish(
        '![secret plan](/wiki/download/attachments/666/plan-v2.png) [notes](/wiki/download/attachments/777/notes.pdf) <img src="/wiki/download/attachments/666/raw-plan.png">\n',
        { ...fixtureContext(), missingFiles },
      );
      expect(notes(tree, 'missing-file')).toEqual([]);
      expect(html).not.toMatch(/plan-v2|notes\.pdf|raw-plan/);
      expect(warnings.join('\n')).not.toMatch(/plan-v2|notes\.pdf|raw-plan/);
      expect(toString(tree)).toContain('secret plan');
      expectInert(tree);
    }
  });

  it("with missingFiles: 'confluence', links into Confluence where the file's URL is known, and says so in the log", async () => {
    const { tree, warnings } = await publish('![chart](/wiki/download/attachments/300/missing-chart.png) ![here](attachments/missing-here.png)\n', { ...fixtureContext(), missingFiles: 'confluence' });
    expect(elements(tree, 'a').map((a) => a.properties.href)).toEqual(['https://acme.atlassian.net/wiki/download/attachments/300/missing-chart.png']);
    // No Confluence URL for this page's own file in the fixture: a placeholder, not bare words.
    expect(notes(tree, 'missing-file')).toEqual(['File not available: missing-here.png (here)']);
    expect(warnings).toEqual([expect.stringMatching(/missing-chart\.png.*linking to it in Confluence/), expect.stringMatching(/missing-here\.png.*shown as a placeholder/)]);
  });

  it('the warning says what the page shows', async () => {
    const { warnings } = await publish('![](attachments/missing-a.png)\n');
    expect(warnings).toEqual(['Page "Current Page" (200): attachment "missing-a.png" is not in the export; shown as a placeholder.']);
  });

  it('an image of a file that is no image becomes a link to the file, with a warning; never an <img>', async () => {
    const ctx: RewriteContext = { ...fixtureContext(), attachment: (ref) => ({ url: `/_attachments/200/${ref.fileName}`, isImage: false }) };
    const { tree, warnings } = await publish('![Photo](attachments/photo.png) <img src="attachments/raw.png" alt="Raw">\n', ctx);
    expect(elements(tree, 'img')).toEqual([]);
    expect(elements(tree, 'a').map((a) => [a.properties.href, toString(a)])).toEqual([['/_attachments/200/photo.png', 'Photo'], ['/_attachments/200/raw.png', 'Raw']]);
    expect(warnings).toEqual([expect.stringContaining('"photo.png" is shown as an image but its content is not one'), expect.stringContaining('"raw.png" is shown as an image but its content is not one')]);
  });
});

describe('macros the exporter could not convert', () => {
  const page =
    '![](https://acme.atlassian.net/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=jira&locale=en) ' +
    '![](/plugins/servlet/confluence/placeholder/unknown-macro?name=roadmap)\n\n' +
    '<p><img src="/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=gliffy&amp;x=1"></p>\n\n' +
    `- ![](/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=${encodeURIComponent('<img src=x onerror=alert(1)>](javascript:alert(1))')}${'a'.repeat(200)})\n`;

  it('are a note naming the macro by default, in Markdown and raw HTML, with one warning per pass listing them by page id', async () => {
    const { tree, warnings } = await publish(page);
    const shown = notes(tree, 'unknown-macro');
    expect(shown.slice(0, 3)).toEqual(['This content (jira) is available in Confluence.', 'This content (roadmap) is available in Confluence.', 'This content (gliffy) is available in Confluence.']);
    // The hostile name stays text, cut short.
    expect(shown[3]).toMatch(/^This content \(<img src=x onerror=alert\(1\)>\]\(javascript:alert\(1\)\)a+…\) is available in Confluence\.$/);
    expect([...shown[3]!].length).toBeLessThan(120);
    expect(elements(tree, 'img, a')).toEqual([]);
    expectInert(tree);
    expect(warnings.filter((w) => w.includes('macro'))).toEqual([
      expect.stringMatching(/^Page 200: 3 macros the exporter could not convert \(jira, roadmap, <img.*…\) are shown as a note\.$/),
      'Page 200: 1 macro the exporter could not convert (gliffy) is shown as a note.',
    ]);
  });

  it("with unknownMacros: 'remove', leave nothing behind, and say so", async () => {
    const { tree, warnings, html } = await publish(page, { ...fixtureContext(), unknownMacros: 'remove' });
    expect(notes(tree, 'unknown-macro')).toEqual([]);
    expect(elements(tree, 'img')).toEqual([]);
    expect(html).not.toContain('unknown-macro');
    expect(warnings.filter((w) => w.includes('macro')).every((w) => w.endsWith('left out.'))).toBe(true);
  });

  it('removed, cannot join their neighbours into a tag', async () => {
    const { tree } = await publish('<![](/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=x)img src=x onerror=alert(1)>\n', { ...fixtureContext(), unknownMacros: 'remove' });
    expect(elements(tree, 'img')).toEqual([]);
    expect(toString(tree)).toContain('<img src=x onerror=alert(1)>');
  });

  it('are recognised by the parsed URL, not by its text', () => {
    expect(unknownMacroName('https://acme.atlassian.net/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=jira')).toBe('jira');
    expect(unknownMacroName('/plugins/servlet/confluence/placeholder/unknown-macro/?name=%0Ajira%0A')).toBe('jira');
    expect(unknownMacroName('/wiki/plugins/servlet/confluence/placeholder/unknown-macro')).toBe('');
    for (const url of [
      '/wiki/plugins/servlet/confluence/placeholder/unknown-macro-x?name=jira',
      '/wiki/spaces/X/pages/1?next=/wiki/plugins/servlet/confluence/placeholder/unknown-macro',
      'javascript:alert(1)//plugins/servlet/confluence/placeholder/unknown-macro?name=x',
      'attachments/unknown-macro.png',
    ]) {
      expect(unknownMacroName(url), url).toBeUndefined();
    }
  });

  it('the CLI export writes the same notes into its Markdown', () => {
    const ctx = fixtureContext();
    const { markdown } = sanitizeMarkdownHtml(rewritePage(`# T\n\n${page}`, ctx).markdown, ctx);
    expect(markdown.match(/confluence-unknown-macro/g)).toHaveLength(4);
    expect(markdown).not.toContain('unknown-macro?');
    // Only escaped, as text (`\<img`): no tag.
    expect(markdown).not.toMatch(/(?<!\\)<img/);
  });
});
