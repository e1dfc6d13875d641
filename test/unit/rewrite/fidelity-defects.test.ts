/**
 * Issue 14, defects 3-5, each with the input: the rewrite changed what an author wrote
 * where it must not. Defect 3 is decided where the Markdown's links are rewritten (the ids the
 * rendered page really has); defects 4 and 5 where URLs are checked, in the pass over the rendered
 * HTML (and the same rules in the CLI export's Markdown). `npm run fidelity` finds 4 and 5 in real
 * READMEs.
 */
import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { describe, expect, it } from 'vitest';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { sanitizeMarkdownHtml } from '../../../packages/astro-loader-confluence/src/rewrite/markdown-html.ts';
import { sanitizeRenderedHtml, type HtmlContext } from '../../../packages/astro-loader-confluence/src/rewrite/rendered-html.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const renderer = await createSatteriMarkdownProcessor();
const hrefs = (markdown: string) => [...markdown.matchAll(/\]\(([^)\s]*)\)/g)].map((match) => match[1]);
const render = async (markdown: string) => (await renderer.render(markdown)).code;

describe('DEFECT 3: same-page links to ids that are not headings keep their target', () => {
  const page =
    '# T\n\n<a name="legacy-anchor"></a>\n\n<div id="install-steps">Steps</div>\n\n' +
    'See [legacy](#legacy-anchor), [steps](#install-steps), [top](#_top), [the note](#user-content-fn-1) and [gone](#no-such-id).\n\n' +
    'A claim[^1].\n\n[^1]: The note.\n';

  it('DEFECT 3: `<a name>`, `<div id>`, Starlight\'s `#_top` and footnote ids stay as written', async () => {
    const result = rewritePage(page, fixtureContext());
    // The premise: Astro's render of the page has these targets (`_top` is the title Starlight renders).
    const ids = selectAll('[id], a[name]', fromHtml((await renderer.render(result.markdown)).code, { fragment: true })).map((el) => String(el.properties.id ?? el.properties.name));
    expect(ids).toEqual(expect.arrayContaining(['legacy-anchor', 'install-steps', 'user-content-fn-1']));
    expect(hrefs(result.markdown).slice(0, 4)).toEqual(['#legacy-anchor', '#install-steps', '#_top', '#user-content-fn-1']);
    expect(result.warnings.filter((w) => /legacy-anchor|install-steps|_top|user-content-fn-1/.test(w))).toEqual([]);
  });

  it('DEFECT 3: an anchor that names nothing still points at the page, with a warning', () => {
    const result = rewritePage(page, fixtureContext());
    expect(hrefs(result.markdown)[4]).toBe('/docs/guides/current-page/');
    expect(result.warnings).toEqual([expect.stringContaining('#no-such-id')]);
  });
});

describe('DEFECT 4: harmless URL schemes keep their link', () => {
  const page = '# T\n\n[files](ftp://ftp.example.com/pub/file.txt) and <a href="ftp://ftp.example.com/pub/">the archive</a> and [run](javascript:alert(1)).\n';

  it('DEFECT 4: an ftp:// link, in Markdown and in raw HTML, keeps its URL on the site', async () => {
    const markdown = rewritePage(page, fixtureContext()).markdown;
    const html = sanitizeRenderedHtml(await render(markdown), fixtureContext()).html;
    expect(selectAll('a', fromHtml(html, { fragment: true })).map((a) => a.properties.href)).toEqual(['ftp://ftp.example.com/pub/file.txt', 'ftp://ftp.example.com/pub/']);
  });

  it('DEFECT 4: and in the CLI export, where a javascript: URL still loses its link next to them', () => {
    const { markdown } = sanitizeMarkdownHtml(rewritePage(page, fixtureContext()).markdown, fixtureContext());
    expect(markdown).toContain('[files](ftp://ftp.example.com/pub/file.txt)');
    expect(markdown).toContain('<a href="ftp://ftp.example.com/pub/">the archive</a>');
    expect(markdown).not.toContain('javascript:');
  });
});

describe('DEFECT 5: a relative raw <img> that is no attachment stays as written', () => {
  /** A page with one attachment, `known.png`; every other file is missing from the export. */
  const context = (): HtmlContext => ({
    ...fixtureContext(),
    attachment: (ref) =>
      ref.fileName === 'known.png'
        ? { url: '/_attachments/200/known.png', isImage: true }
        : { missing: true, confluenceUrl: `https://acme.atlassian.net/wiki/download/attachments/200/${ref.fileName}` },
  });

  it('DEFECT 5: `<img src="images/logo.png">` is left alone, with a warning naming the file', async () => {
    const { html, warnings } = sanitizeRenderedHtml(await render('<p align="center"><img src="images/logo.png" alt="Logo" width="160"></p>\n'), context());
    expect(selectAll('img', fromHtml(html, { fragment: true })).map((img) => img.properties.src)).toEqual(['images/logo.png']);
    expect(html).not.toContain('atlassian.net');
    expect(warnings).toEqual([expect.stringContaining('images/logo.png')]);
  });

  it("DEFECT 5: an <img> naming an attachment of the page is still pointed at the site's copy, and a missing one at what the policy says", async () => {
    const markup = await render('<img src="attachments/known.png" alt="Known"> <img src="attachments/gone.png" alt="Gone">\n');
    const { html } = sanitizeRenderedHtml(markup, context());
    const imgs = selectAll('img', fromHtml(html, { fragment: true })).map((img) => img.properties.src);
    expect(imgs).toEqual(['/_attachments/200/known.png']);
    expect(html).toContain('<span class="confluence-placeholder confluence-missing-file" role="note">File not available: gone.png (Gone)</span>');
    expect(html).not.toContain('atlassian.net');
    const linked = sanitizeRenderedHtml(markup, { ...context(), missingFiles: 'confluence' }).html;
    expect(linked).toContain('<a href="https://acme.atlassian.net/wiki/download/attachments/200/gone.png">Gone</a>');
  });
});
