import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import { describe, expect, it } from 'vitest';
import { extractHeadingIds, extractTitle, rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { matchAnchor } from '../../../packages/astro-loader-confluence/src/rewrite/anchors.ts';
import { toAside } from '../../../packages/astro-loader-confluence/src/rewrite/alerts.ts';
import { emojiForImage } from '../../../packages/astro-loader-confluence/src/rewrite/emoticons.ts';
import { applyEdits } from '../../../packages/astro-loader-confluence/src/rewrite/splice.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

describe('rewritePage', () => {
  it('returns the title and the heading ids Starlight assigns, title excluded, duplicates numbered', () => {
    const r = rewritePage('# My *Page*\n\n## Intro\n\n## Intro\n\n### _Under_ score `code`\n', fixtureContext());
    expect(r.title).toBe('My Page');
    expect(r.headingIds).toEqual(['intro', 'intro-1', 'under-score-code']);
    expect(r.markdown.startsWith('## Intro')).toBe(true);
  });

  it('leaves a blank line where a title below other content was, so the blocks around it stay apart', () => {
    // Deleting the heading line would join `<img` and the attributes on the next line into a tag.
    expect(rewritePage('Intro <img\n# Title\nsrc=x onerror=alert(1)>\n', fixtureContext()).markdown).toBe('Intro <img\n\nsrc=x onerror=alert(1)>\n');
  });

  it('keeps the words of a link to an unpublished page inside a span where removing the link syntax would join its neighbours', () => {
    const url = 'https://acme.atlassian.net/wiki/spaces/DOC/pages/666';
    expect(rewritePage(`# T\n\nsee [plans](${url}): later\n`, fixtureContext()).markdown).toBe('see plans: later\n');
    expect(rewritePage(`# T\n\n<img[ src=x onerror=alert(1)>](${url})\n`, fixtureContext()).markdown).toBe('<img<span> src=x onerror=alert(1)></span>\n');
    expect(rewritePage(`# T\n\n[a [b]](${url})(javascript:alert(1))\n`, fixtureContext()).markdown).toBe('<span>a [b]</span>(javascript:alert(1))\n');
  });

  it('leaves a page without links byte for byte except the title', () => {
    const body = '| a  |  b |\n|:--|--:|\n| *x* | __y__ |\n\n* one\n* two\n';
    expect(rewritePage(`# T\n\n${body}`, fixtureContext()).markdown).toBe(body);
  });

  it('reports unpublished links with their reason and keeps only the text', () => {
    const r = rewritePage('# T\n\n[a](/wiki/spaces/DOC/pages/666) [b](/display/DOC/2020/01/01/Old) [c](/wiki/spaces/DOC/blog/2020/01/01/4242/X)', fixtureContext());
    expect(r.markdown).toBe('a b c');
    expect(r.unresolved).toEqual([
      { fromPageId: '200', url: '/wiki/spaces/DOC/pages/666', text: 'a', reason: 'restricted' },
      { fromPageId: '200', url: '/display/DOC/2020/01/01/Old', text: 'b', reason: 'outside-export' },
      { fromPageId: '200', url: '/wiki/spaces/DOC/blog/2020/01/01/4242/X', text: 'c', reason: 'outside-export' },
    ]);
  });

  it('links an unpublished page into Confluence under the confluence policy', () => {
    const r = rewritePage('# T\n\n[a](/wiki/pages/viewpage.action?pageId=666)', fixtureContext('confluence'));
    expect(r.markdown).toBe('[a](https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=666)');
  });

  it('respects base "/" and the home page', () => {
    const ctx = { ...fixtureContext(), base: '/' };
    expect(rewritePage('# T\n\n[h](/wiki/spaces/DOC/pages/100) [n](/wiki/spaces/DOC/pages/300#Known-Issues)', ctx).markdown).toBe('[h](/) [n](/release-notes/#known-issues)');
  });

  it('warns about an anchor that matches no heading and links to the page', () => {
    const r = rewritePage('# T\n\n[x](/wiki/spaces/DOC/pages/300#Nope)', fixtureContext());
    expect(r.markdown).toBe('[x](/docs/release-notes/)');
    expect(r.warnings).toEqual([expect.stringContaining('#Nope')]);
  });

  it('names the page and the file when an attachment is missing, and never leaves an image', () => {
    const r = rewritePage('# T\n\n![](attachments/missing%20one.png)', fixtureContext());
    expect(r.markdown).toBe('<span class="confluence-placeholder confluence-missing-file" role="note">File not available: missing one.png</span>');
    expect(r.warnings[0]).toMatch(/Current Page.*missing one\.png.*shown as a placeholder/);
  });

  it('escapes a page title used as link text', () => {
    const ctx = { ...fixtureContext(), pageById: () => ({ id: '1', title: 'A | B *c*', path: 'a' }) };
    expect(rewritePage('# T\n\n<https://acme.atlassian.net/wiki/x/CYAI>', ctx).markdown).toBe('[A \\| B \\*c\\*](/docs/a/)');
  });

  it('rewrites links inside an alert and inside a table cell', () => {
    const r = rewritePage('# T\n\n> [!TIP]\n> [n](/wiki/spaces/DOC/pages/300)\n\n| [n](/wiki/spaces/DOC/pages/300) |\n|---|\n', fixtureContext());
    expect(r.markdown).toBe(':::tip\n[n](/docs/release-notes/)\n:::\n\n| [n](/docs/release-notes/) |\n|---|\n');
  });

  it('keeps a linked image: the image and the link are both rewritten', () => {
    const r = rewritePage('# T\n\n[![d](attachments/d.png)](/wiki/spaces/DOC/pages/300)', fixtureContext());
    expect(r.markdown).toBe('[![d](/_attachments/200/d.png)](/docs/release-notes/)');
  });
});

describe('extractHeadingIds / extractTitle', () => {
  it('agree with rewritePage', () => {
    const md = '# Title\n\nSetext\n------\n\n## Über *uns*\n';
    expect(extractHeadingIds(md)).toEqual(rewritePage(md, fixtureContext()).headingIds);
    expect(extractHeadingIds(md)).toEqual(['setext', 'über-uns']);
    expect(extractTitle(md)).toBe('Title');
    expect(extractTitle('no heading')).toBeUndefined();
  });
});

describe('heading ids match what Astro renders', () => {
  // Astro 7 renders with Sätteri by default, smart punctuation on, and slugs the rendered text:
  // runs of hyphens become dashes, which the slugger drops.
  const headings = [
    'A -- B', 'A --- B', 'x--y', 'A----B', "Don't -- stop", 'a -- b -- c', '**Bold** -- *it*', 'Use `--force` -- carefully',
    'It\'s "quoted" \'single\'', 'Wait... what', 'Em — dash', 'Q&A: 1/2 (x)', 'Ünïcödé Straße', 'A -- B', '[Link -- text](https://example.com)',
    'Img ![alt text](x.png) end', 'Html <span>in</span> head', 'Foot[^1] note', '&amp; entity &copy;', 'Trailing #', 'a - - b', '-- lead', 'trail --',
  ];
  it('for dashes, quotes, code, emphasis, links, images, HTML, footnotes, entities, non-ASCII and duplicates', async () => {
    const markdown = `# Title\n\n${headings.map((h) => `## ${h}\n\ntext\n`).join('\n')}\n[^1]: The note.\n`;
    const rendered = await (await createSatteriMarkdownProcessor()).render(markdown);
    // The GFM footnotes section brings its own heading (id `footnote-label`, not slugged).
    const astroIds = rendered.metadata.headings.filter((h) => h.depth > 1 && h.slug !== 'footnote-label').map((h) => h.slug);
    expect(astroIds.slice(0, 2)).toEqual(['a--b', 'a--b-1']);
    expect(extractHeadingIds(markdown)).toEqual(astroIds);
  });
});

describe('matchAnchor', () => {
  const ids = ['install', 'configure-the-proxy', 'version-20', 'faq-1'];
  it.each([
    ['Configure-the-Proxy', 'configure-the-proxy'],
    ['SetupGuide-ConfiguretheProxy', 'configure-the-proxy'],
    ['Version-2.0', 'version-20'],
    ['Configure%20the%20Proxy', 'configure-the-proxy'],
    ['install', 'install'],
    ['FAQ.1', 'faq-1'],
  ])('%s → %s', (anchor, id) => expect(matchAnchor(anchor, ids, 'Setup Guide')).toBe(id));
  it('returns undefined without a match', () => expect(matchAnchor('Missing', ids, 'Setup Guide')).toBeUndefined());
});

describe('toAside', () => {
  it('maps labels to aside types', () => {
    expect(toAside('> [!IMPORTANT]\n> x', 0)).toBe(':::note\nx\n:::');
    expect(toAside('> **Success:** x', 0)).toBe(':::tip\nx\n:::');
    expect(toAside('> **Error**: x', 0)).toBe(':::danger\nx\n:::');
    expect(toAside('> [!WARNING]\n> x', 0)).toBe(':::caution\nx\n:::');
  });
  it('uses a longer fence when the content holds one', () => expect(toAside('> [!NOTE]\n> :::tip\n> y\n> :::', 0)).toBe('::::note\n:::tip\ny\n:::\n::::'));
  it('is undefined for a plain quote', () => expect(toAside('> **Bold** text', 0)).toBeUndefined());
});

describe('emoticons', () => {
  it.each([
    ['/wiki/images/icons/emoticons/tongue.png', '', '😛'],
    ['/images/icons/emoticons/thumbs_down.svg', '', '👎'],
    ['/images/icons/emoticons/broken_heart.png', '', '💔'],
    ['x.png', ':light-on:', '💡'],
    ['https://emoji.example/standard/abc/64x64/1f44d.png', '', '👍'],
  ])('%s %s', (url, alt, emoji) => expect(emojiForImage(url, alt)).toBe(emoji));
  it('ignores ordinary images', () => expect(emojiForImage('attachments/smile.png', 'smile')).toBeUndefined());
});

describe('splice', () => {
  it('applies nested edits inside out', () => {
    expect(applyEdits('abcdef', [{ start: 0, end: 6, replace: (s) => `[${s}]` }, { start: 2, end: 3, replace: 'X' }])).toBe('[abXdef]');
  });
  it('refuses partly overlapping edits', () => {
    expect(() => applyEdits('abcdef', [{ start: 0, end: 3, replace: '' }, { start: 2, end: 4, replace: '' }])).toThrow(/Overlapping/);
  });
  it('finds bare URLs as GFM does: trailing punctuation and an unbalanced parenthesis are not part of them', () => {
    const r = rewritePage('# T\n\nSee https://acme.atlassian.net/wiki/spaces/DOC/pages/300). Or (https://acme.atlassian.net/wiki/x/AQA2KQE).', fixtureContext());
    expect(r.markdown).toBe('See [Release Notes](/docs/release-notes/)). Or ([Setup Guide](/docs/guides/setup-guide/)).');
  });
});
