/**
 * Issue 14, defects 3-5: the rewrite changes what an author wrote where it must not. These
 * tests FAIL on this branch by design: the code they need belongs to the rewrite of the raw-HTML
 * pass (rewrite/links.ts, rewrite/attachments.ts, the sanitiser), which another branch is
 * replacing. They are committed alone so that they can land with that rewrite, or be dropped.
 * Each input is the one the issue shows; `npm run fidelity` finds defects 4 and 5 in real READMEs.
 */
import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { describe, expect, it } from 'vitest';
import { rewritePage, type RewriteContext } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const renderer = await createSatteriMarkdownProcessor();
const hrefs = (markdown: string) => [...markdown.matchAll(/\]\(([^)\s]*)\)/g)].map((match) => match[1]);

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
  it('DEFECT 4: an ftp:// link, in Markdown and in raw HTML, keeps its URL', () => {
    const result = rewritePage('# T\n\n[files](ftp://ftp.example.com/pub/file.txt) and <a href="ftp://ftp.example.com/pub/">the archive</a>.\n', fixtureContext());
    expect(result.markdown).toBe('[files](ftp://ftp.example.com/pub/file.txt) and <a href="ftp://ftp.example.com/pub/">the archive</a>.\n');
  });

  it('DEFECT 4: a javascript: URL still loses its link next to them', () => {
    const result = rewritePage('# T\n\n[files](ftp://ftp.example.com/f) [run](javascript:alert(1))\n', fixtureContext());
    expect(result.markdown).toBe('[files](ftp://ftp.example.com/f) run\n');
  });
});

describe('DEFECT 5: a relative raw <img> that is no attachment stays as written', () => {
  /** A page with one attachment, `known.png`; every other file is missing from the export. */
  const context = (): RewriteContext => ({
    ...fixtureContext(),
    attachment: (ref) =>
      ref.fileName === 'known.png'
        ? { url: '/_attachments/200/known.png', isImage: true }
        : { missing: true, confluenceUrl: `https://acme.atlassian.net/wiki/download/attachments/200/${ref.fileName}` },
  });

  it('DEFECT 5: `<img src="images/logo.png">` is left alone, with a warning naming the file', () => {
    const result = rewritePage('# T\n\n<p align="center"><img src="images/logo.png" alt="Logo" width="160"></p>\n', context());
    expect(result.markdown).toBe('<p align="center"><img src="images/logo.png" alt="Logo" width="160"></p>\n');
    expect(result.warnings).toEqual([expect.stringContaining('logo.png')]);
  });

  it('DEFECT 5: an <img> naming an attachment of the page is still pointed at the site\'s copy', () => {
    const result = rewritePage('# T\n\n<img src="attachments/known.png" alt="Known">\n', context());
    expect(result.markdown).toBe('<img src="/_attachments/200/known.png" alt="Known">\n');
  });
});
