/**
 * A hostile page editor's (or a messy Confluence's) attempts to keep an unpublished page's id,
 * title or file name past the scrub (rewrite/scrub.ts): in the snapshot (`scrubUnpublished`) and
 * in the entry's raw HTML (`rewritePage`). Page 666 and "Secret Plans" are restricted in the
 * fixture context; 666's tiny link code is `mgI`, the fixture's cloud id `a1b2c3`.
 */
import { describe, expect, it } from 'vitest';
import { encodeTinyLink } from '../../../packages/astro-loader-confluence/src/rewrite/confluence-urls.ts';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { scrubUnpublished } from '../../../packages/astro-loader-confluence/src/rewrite/scrub.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const ctx = fixtureContext();
const SECRET = 'https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans';
const FILE = 'https://acme.atlassian.net/wiki/download/attachments/666/org-chart.png';
const TINY = encodeTinyLink(666);

function leaks(text: string): string[] {
  return ['666', 'Secret', 'org-chart', `/x/${TINY}`].filter((needle) => text.includes(needle));
}

const held: Record<string, string> = {
  'tiny link, absolute': `See [t](https://acme.atlassian.net/wiki/x/${TINY}).`,
  'tiny link, host-relative with and without /wiki': `[u](/wiki/x/${TINY}) [v](/x/${TINY})`,
  'tiny link in raw HTML': `<a href="/wiki/x/${TINY}">t</a>`,
  'tiny link as raw HTML text': `<p>go to https://acme.atlassian.net/wiki/x/${TINY}.</p>`,
  'gateway URL': `[g](https://api.atlassian.com/ex/confluence/a1b2c3/wiki/spaces/DOC/pages/666/Secret+Plans)`,
  'gateway URL in raw HTML, cloud id upper case': `<a href="https://api.atlassian.com/ex/confluence/A1B2C3/wiki/spaces/DOC/pages/666/Secret+Plans">g</a>`,
  'upper-case scheme and host': `[u](HTTPS://ACME.ATLASSIAN.NET/wiki/spaces/DOC/pages/666/Secret+Plans)`,
  'upper-case path in raw HTML': `<a href="HTTPS://ACME.ATLASSIAN.NET/WIKI/SPACES/DOC/PAGES/666/Secret+Plans">g</a>`,
  'explicit port': `[p](https://acme.atlassian.net:443/wiki/spaces/DOC/pages/666/Secret+Plans) <a href="https://acme.atlassian.net:443/wiki/spaces/DOC/pages/666/Secret+Plans">q</a>`,
  'viewpage.action with extra parameters': `[v](/wiki/pages/viewpage.action?spaceKey=DOC&pageId=666&focusedCommentId=1#x)`,
  'viewpage.action with entity-separated parameters in raw HTML': `<a href="/wiki/pages/viewpage.action?spaceKey=DOC&amp;pageId=666&amp;x=1">v</a>`,
  'viewpage.action by title': `[v](/wiki/pages/viewpage.action?spaceKey=DOC&title=Secret+Plans) <a href="/wiki/pages/viewpage.action?spaceKey=DOC&title=Secret+Plans">w</a>`,
  'attribute and value split across lines': `<a\n  class="x"\n  href=\n"${SECRET}"\n>plans</a>`,
  'duplicate attribute, the first one secret': `<a href="${SECRET}" href="https://ok.test">x</a>`,
  '<base href>': `<base href="${SECRET}">`,
  '<form action> and <button formaction>': `<form action="${SECRET}"><button formaction="${SECRET}">x</button></form>`,
  '<object data>': `<object data="${FILE}"></object>`,
  '<area href>': `<map><area href="${SECRET}"></map>`,
  '<svg><a xlink:href> and <image href>': `<svg><a xlink:href="${SECRET}"><text>x</text></a><image href="${FILE}"/></svg>`,
  '<svg><use href> with a fragment': `<svg><use href="${FILE}#x"/></svg>`,
  '<iframe src>': `<iframe src="${SECRET}"></iframe>`,
  '<noscript> and <template> content': `<noscript><a href="${SECRET}">x</a></noscript><template><a href="${SECRET}">y</a></template>`,
  'character references in the attribute value': `<a href="&#x68;ttps://acme.atlassian.net/wiki/spaces/DOC/pages/&#54;66/Secret&plus;Plans">x</a>`,
  'surrounding spaces in the attribute value': `<a href="  ${SECRET}  ">x</a>`,
  'URL as text inside raw <pre> and <pre><code>': `<pre>\n${SECRET}\n</pre>\n\n<pre><code>see ${SECRET}</code></pre>`,
  '<textarea> text': `<textarea>${SECRET}</textarea>`,
  'an HTML block spanning blank lines': `<div>\n\n<a href="${SECRET}">x</a>\n\n</div>`,
  'a table as one HTML block over many lines': `<table>\n<tr>\n<td>\n<a href="${SECRET}">x</a>\n</td>\n</tr>\n</table>`,
  'definition with a title': `[x][d]\n\n[d]: ${SECRET} "plans"`,
  'definition in angle brackets': `[x]\n\n[x]: <${SECRET}>`,
  'labels differing in case and spacing': `[X Y][Ab]\n\n[aB]: ${SECRET}`,
  'definition inside a blockquote': `> [x][d]\n>\n> [d]: ${SECRET}`,
  'definition in a later list item': `- [x][d]\n\n- [d]: ${SECRET}`,
  'definition no reference uses': `text\n\n[d]: ${SECRET}`,
  'image of the file inside a link to the page': `[![x](${FILE})](${SECRET})`,
  'published image inside a link to the page': `[![x](https://ok.test/a.png)](${SECRET})`,
  'link destination in angle brackets': `[x](<${SECRET}>)`,
  'thumbnail URL with a query': '![x](/wiki/download/thumbnails/666/org-chart.png?version=1)',
  'edit-v2 URL with a capitalised path': '[x](/wiki/spaces/DOC/pages/edit-v2/666) [y](/WIKI/Spaces/DOC/Pages/666/Secret+Plans)',
};

describe('scrub attacks that hold', () => {
  for (const [name, markdown] of Object.entries(held)) {
    it(`snapshot leaves no id, title or file name: ${name}`, () => {
      expect(leaks(scrubUnpublished(markdown, ctx))).toEqual([]);
    });
    it(`entry leaves no id, title or file name: ${name}`, () => {
      expect(leaks(rewritePage(`${markdown}\n`, ctx).markdown)).toEqual([]);
    });
  }

  it('keeps the image of a link whose URL went, in a nested image link', () => {
    expect(scrubUnpublished(`[![x](https://ok.test/a.png)](${SECRET})`, ctx)).toBe('<span>![x](https://ok.test/a.png)</span>');
  });

  it('keeps the other attributes of an element that lost a URL attribute', () => {
    expect(scrubUnpublished(`<a class="x" href="${SECRET}" title="t">plans</a>`, ctx)).toBe('<a class="x"  title="t">plans</a>');
  });

  it('scrubs each of 10,000 links to the unpublished page and keeps the 10,000 to a published one', () => {
    const line = `[s](${SECRET}) [p](/wiki/spaces/DOC/pages/300/Release+Notes) <a href="${FILE}">f</a>`;
    const out = scrubUnpublished(Array.from({ length: 10_000 }, () => line).join('\n\n'), ctx);
    expect(leaks(out)).toEqual([]);
    expect(out.split('/wiki/spaces/DOC/pages/300/Release+Notes').length - 1).toBe(10_000);
    expect(out.split('<a >f</a>').length - 1).toBe(10_000);
  });
});
