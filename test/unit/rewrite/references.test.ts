/** Which attachments a page references: read from the parsed page, every form the rewrite resolves. */
import { describe, expect, it } from 'vitest';
import { attachmentReferences } from '../../../packages/astro-loader-confluence/src/rewrite/references.ts';

const refs = (markdown: string, pageId = '123') => [...attachmentReferences(markdown, pageId)].sort();

describe('attachmentReferences', () => {
  it('reads images, links through attachments/, reference definitions and encoded names', () => {
    expect(refs('![a](attachments/a.png) [pdf](./attachments/My%20File.pdf) ![rel](diagram.png)\n\n[def]: attachments/def.zip\n')).toEqual(['My File.pdf', 'a.png', 'def.zip', 'diagram.png']);
  });

  it('reads raw HTML as HTML: src, href, srcset, poster, in any quoting', () => {
    expect(refs('<div>\n<img src=attachments/bare.png alt=x>\n</div>\n\n<a href=\'attachments/q.pdf\'>q</a>\n\n<picture><source srcset="attachments/s1.png 1x, attachments/s2.png 2x"></picture> <video poster="attachments/p.jpg"></video>')).toEqual(['bare.png', 'p.jpg', 'q.pdf', 's1.png', 's2.png']);
  });

  it("reads this page's download and thumbnail URLs, not another page's", () => {
    expect(refs('![t](/wiki/download/thumbnails/123/shot.png?version=1) [f](https://acme.atlassian.net/wiki/download/attachments/123/Report%202024.xlsx) ![other](/download/attachments/999/other.png)')).toEqual(['Report 2024.xlsx', 'shot.png']);
  });

  it('takes no name from an unknown macro\'s placeholder image, relative or absolute', () => {
    const md = '![](plugins/servlet/confluence/placeholder/unknown-macro?name=jira)\n\n<img src="/wiki/plugins/servlet/confluence/placeholder/unknown-macro?name=roadmap">\n\n![a](attachments/a.png)\n';
    expect([...attachmentReferences(md, '100')]).toEqual(['a.png']);
  });

  it('takes no name from text, code, or links that are not attachments', () => {
    expect(refs('metadata.png is mentioned, `![x](attachments/code.png)` is code,\n\n    ![y](attachments/indented.png)\n\n[page](other-page.md) [site](https://example.com/a.png) [anchor](#a.png)')).toEqual([]);
  });
});
