/**
 * Attacks on the scrub (rewrite/scrub.ts): every syntax a page can name an unpublished page or its
 * file in, for the snapshot (which keeps Markdown as exported) and for the entries (raw HTML).
 * Page 666 and the title "Secret Plans" are restricted in the fixture context; 300 is published.
 */
import { describe, expect, it } from 'vitest';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { scrubUnpublished } from '../../../packages/astro-loader-confluence/src/rewrite/scrub.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const ctx = fixtureContext();
const SECRET = 'https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans';
const FILE = 'https://acme.atlassian.net/wiki/download/attachments/666/org-chart.png';

/** What must never survive: the id, the title in any URL form, the file's name. */
function leaks(markdown: string): string[] {
  return ['666', 'Secret', 'org-chart'].filter((needle) => markdown.includes(needle));
}

describe('scrubUnpublished (what a snapshot keeps)', () => {
  const cases: Record<string, string> = {
    inline: `See [the plans](${SECRET}) now.`,
    reference: `See [the plans][p].\n\n[p]: ${SECRET}`,
    collapsed: `See [p][].\n\n[p]: ${SECRET}`,
    'reference whose words are the URL': `See [${SECRET}][p].\n\n[p]: ${SECRET}`,
    'image reference': `![chart][c] and ![][c]\n\n[c]: ${FILE}`,
    autolink: `See <${SECRET}>.`,
    bare: `See ${SECRET} here.`,
    'url as text': `See [${SECRET}](${SECRET}).`,
    'id in the text': `See [page 666](${SECRET}).`,
    'by title': `See [by title](/wiki/display/DOC/Secret+Plans).`,
    viewpage: `See [v](/wiki/pages/viewpage.action?pageId=666).`,
    'image with alt': `![diagram](${FILE})`,
    'image without alt': `![](${FILE})`,
    'html link': `HTML: <a href="${SECRET}">plans</a>.`,
    'html link, slash separator': `HTML: <a/href="${SECRET}"/title=x>plans</a>.`,
    'html link, unquoted, upper case': `<A HREF=${SECRET}>plans</A>`,
    'html image': `<img src="${FILE}" alt="chart">`,
    'html srcset': `<img src="/x.png" srcset="/y.png 1x, ${FILE} 2x">`,
    'html block with the URL as text': `<div>\nsee ${SECRET}\n</div>`,
    'html block with an entity-encoded URL': `<div><a href="https&#58;//acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans">x</a></div>`,
    'html, attribute split across lines': `<a\nhref="${SECRET}"\n>plans</a>`,
    'in a table cell': `| a | b |\n| - | - |\n| [p](${SECRET}) | <a href="${SECRET}">q</a> |`,
    'in a blockquote and a list': `> - [p](${SECRET})\n> - <a href="${SECRET}">q</a>`,
  };
  for (const [name, markdown] of Object.entries(cases)) {
    it(`leaves no id, title or file name: ${name}`, () => {
      const out = scrubUnpublished(markdown, ctx);
      expect(leaks(out)).toEqual([]);
    });
  }

  it('keeps the words of a link and drops only its URL', () => {
    expect(scrubUnpublished(`See [the plans](${SECRET}) now.`, ctx)).toBe('See the plans now.');
    expect(scrubUnpublished(`HTML: <a href="${SECRET}">plans</a>.`, ctx)).toBe('HTML: <a >plans</a>.');
    expect(scrubUnpublished(`![diagram](${FILE})`, ctx)).toBe('diagram');
  });

  it('replaces words that would say what the URL said', () => {
    expect(scrubUnpublished(`See <${SECRET}>.`, ctx)).toBe('See (not published).');
    expect(scrubUnpublished(`See [page 666](${SECRET}).`, ctx)).toBe('See (not published).');
  });

  it('keeps links to published pages, other sites and this page\'s files byte for byte', () => {
    const markdown = [
      '[setup](https://acme.atlassian.net/wiki/spaces/DOC/pages/4986372097/Setup+Guide)',
      '<a href="/wiki/spaces/DOC/pages/300/Release+Notes">notes</a>',
      '![own](attachments/a.png) <https://example.com/666> [elsewhere](https://other.example/wiki/spaces/DOC/pages/666)',
      '<img src="attachments/b.png">',
    ].join('\n\n');
    expect(scrubUnpublished(markdown, ctx)).toBe(markdown);
  });

  it('does not join what was around a removed link into new markup', () => {
    const out = scrubUnpublished(`<img[x](${SECRET}) src=x onerror=alert(1)>`, ctx);
    expect(leaks(out)).toEqual([]);
    expect(out).not.toMatch(/<img[^>]*onerror/);
  });
});

describe('rewritePage: raw HTML names no unpublished page in the entry', () => {
  it('drops the href of a raw <a> and reports the link by id', () => {
    const result = rewritePage(`Text <a href="${SECRET}">plans</a> and <img src="${FILE}">.\n`, ctx);
    expect(leaks(result.markdown)).toEqual([]);
    expect(result.markdown).toContain('plans');
    expect(result.unresolved).toEqual([{ fromPageId: '200', url: SECRET, text: '', reason: 'restricted' }]);
  });

  it('leaves raw HTML that names no unpublished page as written', () => {
    const markdown = '<div id="x"><a href="https://example.com/a">a</a></div>\n\nText.\n';
    expect(rewritePage(markdown, ctx).markdown).toBe(markdown);
  });
});
