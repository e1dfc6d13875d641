/**
 * The fidelity run's comparison (bench/fidelity-compare.ts) must not hide a defect behind a
 * deliberate class, nor count an irrelevant difference: each case pairs Starlight's render with
 * a loader render and names the verdict and classes that follow.
 */
import { describe, expect, it } from 'vitest';
import { CLASSES, comparePages } from '../../../bench/fidelity-compare.ts';

const page = { id: '1', url: 'guide', title: 'Guide', source: 'node_modules/x/README.md' };
const options = { sitePages: new Set(['', 'guide', 'other']), siteHost: 'acme.atlassian.net' };
/** A Starlight page: the title H1 (`#_top`) outside the content area, as Starlight writes it. */
const html = (content: string) => `<html><body><main><h1 id="_top">Guide</h1><div class="sl-markdown-content">${content}</div></main></body></html>`;
const compare = (baseline: string, loader: string) => comparePages(page, html(baseline), html(loader), options);

const wrapper = (level: number, id: string, text: string) =>
  `<div class="sl-heading-wrapper level-h${level}"><h${level} id="${id}">${text}</h${level}><a class="sl-anchor-link" href="#${id}"><span class="sr-only">Section titled “${text}”</span></a></div>`;
const aside = (type: string, title: string, content: string) =>
  `<aside aria-label="${title}" class="starlight-aside starlight-aside--${type}"><p class="starlight-aside__title" aria-hidden="true"><svg viewBox="0 0 24 24"><path d="M1 1"></path></svg>${title}</p><div class="starlight-aside__content">${content}</div></aside>`;

describe('fidelity comparison', () => {
  it('ignores attribute order, whitespace between blocks and hashed asset names', () => {
    const result = compare(
      '<p class="a" id="x">One</p>\n\n<img src="/_astro/logo.AbC123_x.webp" alt="logo">\n<ul>\n<li>a</li>\n</ul>',
      '<p id="x" class="a">One</p><img alt="logo" src="/_astro/logo.Zz9-8yy.webp">\n<ul><li>a</li></ul>',
    );
    expect(result).toMatchObject({ verdict: 'identical', classes: [], residual: [] });
  });

  it('compares code blocks by language and text, not by highlighting tokens', () => {
    const block = (lang: string, tokens: string) => `<div class="expressive-code"><figure><pre data-language="${lang}"><code><div class="ec-line"><div class="code">${tokens}</div></div></code></pre></figure></div>`;
    const dark = '<span style="--0:#D6DEEB">const x</span><span style="--0:#D6DEEB"> = 1</span>';
    const bright = '<span style="--0:#C792EA">const </span><span style="--0:#82AAFF">x</span><span> = 1</span>';
    expect(compare(block('js', dark), block('js', bright)).verdict).toBe('identical');
    expect(compare(block('js', dark), block('ts', dark)).verdict).toBe('residual');
    expect(compare(block('js', dark), block('js', '<span>const y = 1</span>')).verdict).toBe('residual');
  });

  it('counts what the sanitiser changes on purpose on links and names, and nothing near it', () => {
    expect(compare('<p><a href="https://x.test/" target="_blank" rel="nofollow">x</a></p>', '<p><a href="https://x.test/">x</a></p>'))
      .toMatchObject({ verdict: 'deliberate', classes: [CLASSES.linkTarget] });
    expect(compare('<p><a name="usage"></a></p>', '<p><a id="usage"></a></p>')).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.anchorName] });
    expect(compare('<details name="faq"><summary>Q</summary></details>', '<details name="user-content-faq"><summary>Q</summary></details>'))
      .toMatchObject({ verdict: 'deliberate', classes: [CLASSES.prefixedName] });
    // Not these: a name that became another id, a target on another element, a changed href, a name prefixed otherwise.
    expect(compare('<p><a name="usage"></a></p>', '<p><a id="use"></a></p>').verdict).toBe('residual');
    expect(compare('<form target="_blank"></form>', '<form></form>').verdict).toBe('residual');
    expect(compare('<p><a href="https://x.test/" target="_blank">x</a></p>', '<p><a href="https://y.test/">x</a></p>').verdict).toBe('residual');
    expect(compare('<details name="faq"><summary>Q</summary></details>', '<details name="x-faq"><summary>Q</summary></details>').verdict).toBe('residual');
  });

  it('counts an extra H1 made an H2 as deliberate, but not a changed heading text', () => {
    expect(compare(wrapper(1, 'usage', 'Usage'), wrapper(2, 'usage', 'Usage'))).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.h1] });
    expect(compare(wrapper(1, 'usage', 'Usage'), wrapper(2, 'usage', 'Use')).verdict).toBe('residual');
  });

  it('counts a panel made an aside of its type, with the content after the label', () => {
    const gfm = compare('<blockquote>\n<p>[!WARNING]\nMind the <a href="https://x.test/">gap</a>.</p>\n</blockquote>', aside('caution', 'Caution', '<p>Mind the <a href="https://x.test/">gap</a>.</p>'));
    expect(gfm).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.aside] });
    const bold = compare('<blockquote><p><strong>Note</strong>: words.</p><p>More.</p></blockquote>', aside('note', 'Note', '<p>words.</p><p>More.</p>'));
    expect(bold).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.aside] });
  });

  it('finds defect 1 inside an aside: the reader\'s ">" became a nested quote', () => {
    const result = compare('<blockquote><p><strong>Note</strong> &gt; <code>walk</code> is async.</p></blockquote>', aside('note', 'Note', '<blockquote><p><code>walk</code> is async.</p></blockquote>'));
    expect(result.verdict).toBe('residual');
    expect(result.classes).toEqual([CLASSES.aside]);
  });

  it('does not take a panel of another type, or a plain quote, for an aside', () => {
    expect(compare('<blockquote><p><strong>Tip:</strong> x</p></blockquote>', aside('danger', 'Danger', '<p>x</p>')).verdict).toBe('residual');
    expect(compare('<blockquote><p>Just a quote.</p></blockquote>', aside('note', 'Note', '<p>Just a quote.</p>')).verdict).toBe('residual');
  });

  it('lets a same-page anchor be re-targeted only when Starlight\'s page has no such target', () => {
    const to = (href: string) => `<p><a href="${href}">link</a></p>${wrapper(2, 'install', 'Install')}`;
    expect(compare(to('#Install'), to('#install'))).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.anchorToHeading] });
    expect(compare(to('#gone'), to('/guide/'))).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.anchorToPage] });
    // Defect 3: `#_top`, an `<a name>` and a footnote id exist in Starlight's render.
    expect(compare(to('#_top'), to('/guide/')).verdict).toBe('residual');
    const named = (href: string) => `<p><a name="legacy"></a><a href="${href}">link</a></p>`;
    expect(compare(named('#legacy'), named('/guide/')).verdict).toBe('residual');
  });

  it('counts removed active content and unsafe URLs, but a lost ftp: link is residual (defect 4)', () => {
    expect(compare('<p>a</p><script>alert(1)</script><p><a href="javascript:alert(1)">x</a></p>', '<p>a</p><p><a>x</a></p>')).toMatchObject({
      verdict: 'deliberate',
      classes: [CLASSES.unsafeElement, CLASSES.unsafeAttribute],
    });
    expect(compare('<p><a href="ftp://ftp.example.com/file">file</a></p>', '<p><a>file</a></p>').verdict).toBe('residual');
  });

  it('reads an unknown tag as its content, as the loader writes it', () => {
    expect(compare('<ul><li>{Array<dispatcher>} the chain</dispatcher></li></ul>', '<ul><li>{Array} the chain</li></ul>')).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.unknownTag] });
  });

  it('reports a changed image as the smallest block that holds it (defect 5)', () => {
    const result = compare('<p>Logo: <img src="logo.png" alt="Logo"> and more.</p>', '<p>Logo: <a href="https://acme.atlassian.net/wiki/download/attachments/1/logo.png">Logo</a> and more.</p>');
    expect(result.verdict).toBe('residual');
    expect(result.residual).toHaveLength(1);
    expect(result.residual[0]!.diff).toBe('- <p>Logo: <img alt="Logo" src="logo.png"> and more.</p>\n+ <p>Logo: <a href="https://acme.atlassian.net/wiki/download/attachments/1/logo.png">Logo</a> and more.</p>');
  });

  it('counts a Confluence page link made a site path, and only to a page of the site', () => {
    const link = (href: string) => `<p><a href="${href}">other</a></p>`;
    expect(compare(link('https://acme.atlassian.net/wiki/spaces/DOC/pages/5/Other'), link('/other/'))).toMatchObject({ verdict: 'deliberate', classes: [CLASSES.pageLink] });
    expect(compare(link('https://acme.atlassian.net/wiki/spaces/DOC/pages/5/Other'), link('/elsewhere/')).verdict).toBe('residual');
    expect(compare(link('https://example.com/'), link('/other/')).verdict).toBe('residual');
  });

  it('says when a page is missing from either site', () => {
    expect(comparePages(page, html('<p>x</p>'), undefined, options).verdict).toBe('residual');
  });
});
