/**
 * SVG attachments as published (rewrite/svg-document.ts): an SVG opened on its own is a document
 * of the site's origin. Whatever could run there goes; the drawing stays.
 */
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../../packages/astro-loader-confluence/src/rewrite/html-tree.ts';
import { sanitizeSvgDocument } from '../../../packages/astro-loader-confluence/src/rewrite/svg-document.ts';

/** Element names and attribute values of the published document, as the browser's parser reads them. */
function inventory(svg: string): { tags: string[]; values: string[]; names: string[] } {
  const tags: string[] = [];
  const values: string[] = [];
  const names: string[] = [];
  const stack = [...parseHtml(svg).children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    tags.push(node.tagName);
    for (const [name, value] of Object.entries(node.properties)) {
      names.push(name);
      values.push(...[value].flat().map(String));
    }
    stack.push(...node.children);
  }
  return { tags, values, names };
}

const DRAWING = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10"><defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><path d="M0 0L10 10" stroke="#000" stroke-width="1"/><text x="1" y="9" font-family="sans-serif">A &amp; B</text></svg>';

describe('sanitizeSvgDocument', () => {
  it('keeps a drawing as it is drawn', () => {
    const out = sanitizeSvgDocument(`<?xml version="1.0"?>\n<!DOCTYPE svg>\n${DRAWING}`)!;
    expect(out).toContain('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">');
    expect(out).toContain('fill="url(#g)"');
    expect(out).toContain('<stop offset="0" stop-color="#f00"/>');
    expect(out).toContain('A &#x26; B');
    expect(inventory(out).tags.sort()).toEqual(['defs', 'linearGradient', 'path', 'rect', 'stop', 'svg', 'text']);
  });

  it.each([
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect onclick="alert(3)" width="1" height="1"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><script type="text/ecmascript"><![CDATA[alert(1)]]></script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><text>x</text></a><a href="javascript:alert(2)"><rect width="1" height="1"/></a></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/><iframe src="javascript:alert(2)"></iframe></body></foreignObject></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><a id="l"><text>t</text></a><set href="#l" attributeName="href" to="javascript:alert(1)"/><animate attributeName="href" values="javascript:alert(2)"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><use href="data:image/svg+xml;base64,PHN2ZyBpZD0ieCIgb25sb2FkPSJhbGVydCgxKSIvPg==#x"/><use href="https://evil.example/x.svg#y"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(javascript:alert(1)); rect { fill: url(javascript:alert(2)) }</style><style>&lt;script>alert(3)&lt;/script></style></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1" style="fill:url(javascript:alert(1))" fill="url(javascript:alert(2))" filter="url(https://evil.example/f.svg#f)"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><image href="javascript:alert(1)"/><image xlink:href="data:text/html,&lt;script>alert(2)&lt;/script>"/></svg>',
    '<!DOCTYPE svg [<!ENTITY x "<script>alert(1)</script>">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><handler type="application/ecmascript">alert(1)</handler><listener event="load" handler="#h"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title></svg>',
  ])('%s', (input) => {
    const out = sanitizeSvgDocument(input)!;
    expect(out).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const { tags, values, names } = inventory(out);
    expect(tags.filter((t) => /^(?:script|foreignObject|set|animate|style|iframe|img|body|handler|listener)$/.test(t))).toEqual([]);
    expect(names.filter((n) => /^on/i.test(n))).toEqual([]);
    expect(values.filter((v) => /javascript:|data:text|data:image\/svg|evil\.example/i.test(v))).toEqual([]);
    // Text stays text: no '<' is written raw outside a tag (an XML parser would read it as markup).
    expect(out.replace(/<\/?[a-zA-Z][^<>]*>/g, '')).not.toContain('<');
  });

  it('publishes nothing for a file without an SVG element', () => {
    expect(sanitizeSvgDocument('<html><body><script>alert(1)</script></body></html>')).toBeUndefined();
    expect(sanitizeSvgDocument('not an svg')).toBeUndefined();
  });

  it('keeps references into the document and raster images, with the xlink namespace they need', () => {
    const out = sanitizeSvgDocument('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><path id="p" d="M0 0"/></defs><use xlink:href="#p"/><image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/></svg>')!;
    expect(out).toContain('<use xlink:href="#p"/>');
    expect(out).toContain('xmlns:xlink="http://www.w3.org/1999/xlink"');
    expect(out).toContain('<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>');
  });
});
