/**
 * The pass over each page's rendered HTML (rewrite/rendered-html.ts): what Starlight, Expressive
 * Code and Astro emit comes through as the same HTML; everything that could run a script, in the
 * shapes a regular expression reads differently than a browser, does not; links to what is not
 * published lose their href. Fixtures in test/fixtures/rendered-html/ are real `renderMarkdown`
 * output of the demo and fidelity spaces, captured from builds without this pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFragment, serialize } from 'parse5';
import { describe, expect, it } from 'vitest';
import { currentOutcomes, parseHtml } from '../../../packages/astro-loader-confluence/src/rewrite/html-tree.ts';
import { allowedUrl, safeStyle } from '../../../packages/astro-loader-confluence/src/rewrite/html-schema.ts';
import { rendersSafely, sanitizeRenderedHtml, sanitizeRenderedPage, type HtmlContext } from '../../../packages/astro-loader-confluence/src/rewrite/rendered-html.ts';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { markdownToHtml } from 'satteri';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/rendered-html');

/** The same HTML for a browser: parsed and serialised by parse5. */
const dom = (html: string) => serialize(parseFragment(html));

const ctx = (extra: Partial<HtmlContext> = {}): HtmlContext => ({ ...fixtureContext(), assetsBase: '/docs/_astro/', ...extra });
const clean = (html: string, extra: Partial<HtmlContext> = {}) => sanitizeRenderedHtml(html, ctx(extra)).html;

/**
 * Everything in `html` that could run a script, read from the parsed tree: elements that run or
 * load code, event handlers, URL attributes with a scheme other than http(s), mailto, tel or a
 * raster image's data:, and `style` with anything but plain declarations.
 */
function activeContent(html: string): string[] {
  const found: string[] = [];
  const stack = [...parseHtml(html).children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    if (/^(?:script|style|iframe|object|embed|base|meta|form|frame|frameset|applet|template|noscript|math|foreignObject|use|animate|set|link|textarea|title)$/.test(node.tagName)) found.push(`<${node.tagName}>`);
    for (const [name, value] of Object.entries(node.properties)) {
      if (/^on/i.test(name)) found.push(`${node.tagName}[${name}]`);
      for (const part of [value].flat()) {
        if (typeof part !== 'string' || name === 'style') continue;
        const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(part.replace(/[\t\n\r]/g, ''))?.[1]?.toLowerCase();
        if (scheme && !['http', 'https', 'mailto', 'tel'].includes(scheme) && !(scheme === 'data' && /^data:image\/(?:png|gif|jpeg|webp)/i.test(part))) found.push(`${node.tagName}[${name}=${part}]`);
      }
      if (name === 'style' && /url\(|expression|behavior|binding|\\/i.test(String(value))) found.push(`${node.tagName}[style=${value}]`);
    }
    stack.push(...node.children);
  }
  return found;
}

describe('what Starlight, Expressive Code and Astro render comes through unchanged', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.html'));
  it('has fixtures of every kind of rendered content', () => {
    const all = fixtures.map((f) => readFileSync(join(FIXTURES, f), 'utf8')).join('\n');
    for (const marker of ['starlight-aside', 'sl-anchor-link', 'expressive-code', 'data-footnote-ref', 'task-list-item', '__ASTRO_IMAGE_', '<details>', '<table>', 'data-code=']) expect(all).toContain(marker);
  });

  it.each(fixtures)('%s', (file) => {
    const html = readFileSync(join(FIXTURES, file), 'utf8');
    const assetsBase = file.startsWith('demo-') ? '/_astro/' : '/docs/_astro/';
    // No Confluence host: the links in these pages were already rewritten by the Markdown pass.
    const out = clean(html, { siteHosts: [], assetsBase });
    expect(dom(out)).toBe(dom(html));
    expect(out.includes('__ASTRO_IMAGE_=')).toBe(html.includes('__ASTRO_IMAGE_='));
  });

  it('keeps Expressive Code’s own stylesheet and script, only at the build’s assets', () => {
    const html = readFileSync(join(FIXTURES, 'demo-quick-start.html'), 'utf8');
    expect(clean(html, { assetsBase: '/_astro/' })).toMatch(/<link rel="stylesheet" href="\/_astro\/ec\.\w+\.css"><script type="module" src="\/_astro\/ec\.\w+\.js"><\/script>/);
    expect(clean(html, { assetsBase: '/docs/_astro/' })).not.toMatch(/<script|<link/);
  });
});

describe('the cases of the regular-expression sanitiser it replaces', () => {
  it.each([
    ['<script>x</script>ok', 'ok'],
    ['<STYLE>a{}</STYLE>ok', 'ok'],
    ['<iframe src=x></iframe>ok', 'ok'],
    ['<svg><script>x</script></svg>ok', 'ok'],
    ['<embed src=x>ok', 'ok'],
    ['<b onClick="x()" class=a>t</b>', '<b class="a">t</b>'],
    ['<a href=" javascript:x">t</a>', 't'],
    ['<a href="jav&#97;script:x">t</a>', 't'],
    ['<img src="data:text/html;base64,AA">', '<img>'],
    ['<img src="data:image/png;base64,AA" alt="a">', '<img src="data:image/png;base64,AA" alt="a">'],
    ['<a title="a>b" href="https://x.y">t</a>', '<a title="a>b" href="https://x.y">t</a>'],
    ['<details><summary>s</summary></details><br><kbd>k</kbd>', '<details><summary>s</summary></details><br><kbd>k</kbd>'],
  ])('%s', (html, expected) => expect(dom(clean(html))).toBe(dom(expected)));

  it('cleans the raw HTML fixtures of the rewrite (their Markdown now reaches this pass as it is)', () => {
    for (const name of ['html-safety.export', 'html-attachments.export']) {
      const markdown = readFileSync(join(import.meta.dirname, `../../fixtures/rewrite/${name}.input.md`), 'utf8');
      const out = clean(markdown);
      expect(activeContent(out), name).toEqual([]);
    }
  });
});

describe('no script survives, in any shape a browser reads', () => {
  const payloads = [
    // Mutation XSS: markup that parses differently once serialised, or in another namespace.
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
    '<svg><style><img src=x onerror=alert(1)></style></svg>',
    '<select><template><style><img src=x onerror=alert(1)></style></template></select>',
    '<a id="x"><table><a id="y" href="javascript:alert(1)">t</a></table></a>',
    // Comments, CDATA and declarations a regular expression reads differently.
    '<!-- a --!><img src=x onerror=alert(1)> -->',
    '<!--><img src=x onerror=alert(1)>-->',
    '<![CDATA[><img src=x onerror=alert(1)>]]>',
    '<?xml ?><img src=x onerror=alert(1)>',
    // Tags a regular expression reads differently.
    '<img/src=x/onerror=alert(1)>',
    '<img src="a=b" onerror=alert(1)>',
    '<img src=x onerror="alert(1)"',
    '<<x>img src=x onerror=alert(1)>',
    '<scr<script>x</script>ipt>alert(1)</script>',
    '<a href="javas\tcript:alert(1)">t</a>',
    // Schemes, entity-encoded and normalised by the browser.
    '<a href="&#x6A;avascript&#x3A;alert(1)">t</a>',
    '<a href="javascript&colon;alert(1)">t</a>',
    '<a href="java&Tab;script:alert(1)">t</a>',
    '<a href="&#0000106&#0000097vascript:alert(1)">t</a>',
    '<a href="\u0001javascript:alert(1)">t</a>',
    '<a href="JAVASCRIPT:alert(1)">t</a>',
    '<a href="vbscript:msgbox(1)">t</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">t</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img srcset="javascript:alert(1) 1x, https://ok.example/a.png 2x">',
    '<video poster="javascript:alert(1)" src="javascript:alert(1)"></video>',
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    // Forms, frames, plugins, document-level elements.
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">Go</button><input type="image" formaction="javascript:alert(1)"></form>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)"><applet code="x"></applet>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="import" href="https://evil.example/x.html"><link rel="stylesheet" href="https://evil.example/ec.abc.css">',
    '<body onload="alert(1)"><html onmouseover="alert(1)">',
    '<template><img src=x onerror=alert(1)></template>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">x</details>',
    // SVG as script host.
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgb25sb2FkPSdhbGVydCgxKScvPg==#x"/></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onmouseover" to="alert(1)"/></svg>',
    '<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>',
    '<p class="starlight-aside__title"><svg class="starlight-aside__icon" onload="alert(1)"><path d="M0" onclick="alert(1)"/><script>alert(1)</script></svg></p>',
    // CSS.
    '<div style="background:url(javascript:alert(1))">a</div>',
    '<div style="width:expression(alert(1))">a</div>',
    '<div style="behavior:url(x.htc);-moz-binding:url(x.xml#y)">a</div>',
    '<div style="background-image:u\\72l(javascript:alert(1))">a</div>',
    '<div style="color:red;background:url( &quot;javascript:alert(1)&quot; )">a</div>',
    // Scripts dressed as Expressive Code's own.
    '<script type="module" src="/docs/_astro/ec.abc123.js">alert(1)</script>',
    '<script src="/docs/_astro/ec.abc123.js"></script>',
    '<script type="module" src="/docs/_attachments/1/ec.abc123.js"></script>',
    '<script type="module" src="/docs/_astro/../_attachments/1/ec.x.js"></script>',
    '<script type="module" src="https://evil.example/docs/_astro/ec.x.js"></script>',
    // Astro's image marker carrying attributes into the final <img>.
    '<img __ASTRO_IMAGE_="{&quot;src&quot;:&quot;./a.png&quot;,&quot;onerror&quot;:&quot;alert(1)&quot;,&quot;index&quot;:0}">',
    '<img __ASTRO_IMAGE_="{&quot;src&quot;:&quot;javascript:alert(1)&quot;,&quot;index&quot;:0}">',
    '<img __ASTRO_IMAGE_="{&quot;src&quot;:&quot;./a.png&quot;,&quot;style&quot;:&quot;background:url(javascript:alert(1))&quot;}">',
  ];

  it.each(payloads)('%s', (payload) => {
    const out = clean(payload);
    expect(activeContent(out)).toEqual([]);
    // The browser reads our output the same way: parsed again, it holds nothing active either,
    // and the payload is at most text now (outside any attribute or tag).
    expect(activeContent(serialize(parseFragment(out)))).toEqual([]);
    expect(dom(out)).toBe(dom(dom(out)));
  });

  it('keeps the text around what it removes, as text', () => {
    expect(clean('<p>before <script>alert(1)</script>after</p>')).toBe('<p>before after</p>');
    expect(clean('<p><<x>img src=x onerror=alert(1)></p>')).toBe('<p>&#x3C;img src=x onerror=alert(1)></p>'.replace('&#x3C;', '&lt;'));
  });

  it('keeps plain styles and Expressive Code’s colours, byte for byte', () => {
    expect(clean('<span style="--0:#82AAFF;--1:#3B61B0">x</span>')).toBe('<span style="--0:#82AAFF;--1:#3B61B0">x</span>');
    expect(clean('<span style="color: rgb(255, 0, 0); font-weight: bold">x</span>')).toBe('<span style="color: rgb(255, 0, 0); font-weight: bold">x</span>');
    expect(clean('<div style="position:fixed;inset:0;color:red">x</div>')).toBe('<div style="color:red">x</div>');
    expect(safeStyle('background:url(javascript:x)')).toBeUndefined();
  });

  it('prefixes name (which clobbers document properties) but keeps ids, so anchors and the table of contents work', () => {
    expect(clean('<img name="getElementById" id="overview" src="a.png">')).toBe('<img name="user-content-getElementById" id="overview" src="/_attachments/200/a.png">');
    const footnote = '<sup><a href="#user-content-fn-1" id="user-content-fnref-1" data-footnote-ref aria-describedby="footnote-label">1</a></sup>';
    expect(dom(clean(footnote))).toBe(dom(footnote));
  });

  it('keeps Astro’s image marker to the keys it knows, and the text that only looks like one inert', () => {
    const out = clean('<img __ASTRO_IMAGE_="{&quot;alt&quot;:&quot;A&quot;,&quot;src&quot;:&quot;./a.png&quot;,&quot;onerror&quot;:&quot;x()&quot;,&quot;title&quot;:&quot;T&quot;,&quot;index&quot;:0}">');
    expect(out).toBe('<img __ASTRO_IMAGE_="{&quot;alt&quot;:&quot;A&quot;,&quot;src&quot;:&quot;./a.png&quot;,&quot;title&quot;:&quot;T&quot;,&quot;index&quot;:0}">');
    // Astro finds markers anywhere in the HTML with a regular expression; in text it must not find one.
    expect(clean('<p>__ASTRO_IMAGE_="{&quot;src&quot;:&quot;x&quot;}"</p>')).not.toMatch(/__ASTRO_IMAGE_=/);
  });

  it('reads URLs as the browser does before deciding', () => {
    for (const url of ['javascript:alert(1)', ' JAVASCRIPT:x', 'java\tscript:x', '\u0000javascript:x', 'vbscript:x', 'data:text/html,x', 'jar:file:x']) expect(allowedUrl(url, false), url).toBeUndefined();
    for (const url of ['https://x', '/a/b', 'a.png', 'mailto:a@b', '#top', '?q=1', '//other.example/x', '1javascript:x']) expect(allowedUrl(url, false), url).toBe(url);
    expect(allowedUrl('HTTPS://Example.com/A', false)).toBe('https://example.com/A');
    expect(allowedUrl('data:image/png;base64,AA', true)).toBe('data:image/png;base64,AA');
    expect(allowedUrl('data:image/png;base64,AA', false)).toBeUndefined();
  });
});

describe('links in raw HTML, resolved like every other link', () => {
  it('points a link to a published page at its site URL, and a URL as its text becomes the title', () => {
    expect(clean('<a href="https://acme.atlassian.net/wiki/spaces/DOC/pages/300/Release+Notes#Known-Issues">notes</a>')).toBe('<a href="/docs/release-notes/#known-issues">notes</a>');
    expect(clean('<a href="/wiki/spaces/DOC/pages/300">/wiki/spaces/DOC/pages/300</a>')).toBe('<a href="/docs/release-notes/">Release Notes</a>');
  });

  it('drops the href of a link to an unpublished page, and never shows its id or title', () => {
    const { html, unresolved } = sanitizeRenderedHtml(
      '<p><a href="https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans">the plans</a>, ' +
        '<a href="https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans">https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret+Plans</a>, ' +
        '<a href="/wiki/display/DOC/Secret+Plans">/wiki/display/DOC/Secret+Plans</a>, ' +
        '<img src="/wiki/download/attachments/666/org-chart.png" alt="">, <img srcset="/wiki/download/attachments/666/x.png 2x"></p>',
      ctx(),
    );
    expect(html).toBe('<p>the plans, (not published), (not published), (not published), <img></p>');
    expect(html).not.toMatch(/666|Secret|org-chart/);
    expect(unresolved.map((u) => u.reason)).toEqual(['restricted', 'restricted', 'restricted']);
  });

  it("links them into Confluence under the 'confluence' policy", () => {
    // By id only: the URL as written carries the unpublished page's title.
    expect(clean('<a href="/wiki/spaces/DOC/pages/666/Secret+Plans">x</a>', { unpublishedLinks: 'confluence' })).toBe('<a href="https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=666">x</a>');
    expect(clean('<a href="/wiki/display/DOC/Secret+Plans">x</a>', { unpublishedLinks: 'confluence' })).toBe('x');
  });

  it('serves attachments of this page, shows a placeholder for missing ones, and escapes a missing image’s alt text', () => {
    const { html, warnings } = sanitizeRenderedHtml(
      '<img src="attachments/a.png"><img src="attachments/missing.png" alt="<img src=x onerror=alert(1)>"><img src="/wiki/download/attachments/300/missing-chart.png" alt="Chart">',
      ctx(),
    );
    const note = (text: string) => `<span class="confluence-placeholder confluence-missing-file" role="note">${text}</span>`;
    expect(html).toBe(`<img src="/_attachments/200/a.png">${note('File not available: missing.png (&lt;img src=x onerror=alert(1)>)')}${note('File not available: missing-chart.png (Chart)')}`);
    expect(activeContent(html)).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('shown as a placeholder'), expect.stringContaining('shown as a placeholder')]);
  });

  it("with missingFiles: 'confluence', links missing ones to Confluence where the resolver knows them", () => {
    const { html, warnings } = sanitizeRenderedHtml(
      '<img src="attachments/a.png"><img src="attachments/missing.png" alt="<img src=x onerror=alert(1)>"><img src="/wiki/download/attachments/300/missing-chart.png" alt="Chart">',
      { ...ctx(), missingFiles: 'confluence' },
    );
    // The fixture knows no Confluence URL for a file of this page: its placeholder stays.
    expect(html).toBe('<img src="/_attachments/200/a.png"><span class="confluence-placeholder confluence-missing-file" role="note">File not available: missing.png (&lt;img src=x onerror=alert(1)>)</span><a href="https://acme.atlassian.net/wiki/download/attachments/300/missing-chart.png">Chart</a>');
    expect(activeContent(html)).toEqual([]);
    expect(warnings[1]).toContain('linking to it in Confluence instead');
  });

  it('records what it looked up, and tells when the answers change', () => {
    const html = '<a href="/wiki/spaces/DOC/pages/300">n</a><img src="attachments/a.png">';
    const first = sanitizeRenderedHtml(html, ctx());
    expect(first.lookups).toHaveLength(2);
    const recorded = first.lookups.map(([, , outcome]) => outcome);
    expect(currentOutcomes(first.lookups, ctx())).toEqual(recorded);
    const base = ctx();
    const unpublished: HtmlContext = { ...base, pageById: (id) => (id === '300' ? 'restricted' : base.pageById(id)) };
    expect(currentOutcomes(first.lookups, unpublished)).not.toEqual(recorded);
    const moved: HtmlContext = { ...base, attachment: () => ({ missing: true }) };
    expect(currentOutcomes(first.lookups, moved)).not.toEqual(recorded);
  });

  it('reports the ids left in the page', () => {
    expect([...sanitizeRenderedHtml('<h2 id="a">A</h2><template><h2 id="b">B</h2></template>', ctx()).ids!]).toEqual(['a']);
  });
});

describe('pages that need no pass over their HTML', () => {
  const dirs = ['../../fixtures/rewrite', '../../fixtures/fidelity-space/pages', '../../fixtures/hostile-space/pages', '../../../packages/confluence-stand-in/demo/pages'];
  const corpus = dirs.flatMap((dir) => {
    const folder = join(import.meta.dirname, dir);
    return readdirSync(folder).filter((f) => f.endsWith('.md')).map((f) => ({ name: `${dir.split('/').at(-2)}/${f}`, markdown: readFileSync(join(folder, f), 'utf8') }));
  });

  it('are exactly those whose rendered HTML the pass would leave as it is (Markdown rendered as Astro does, raw HTML passed through)', async () => {
    let skipped = 0;
    let passed = 0;
    for (const { name, markdown } of corpus) {
      const body = rewritePage(markdown, fixtureContext()).markdown;
      const html = (await markdownToHtml(body, { features: { gfm: true } })).html;
      if (rendersSafely(body, ctx())) {
        skipped++;
        expect(dom(sanitizeRenderedHtml(html, ctx()).html), name).toBe(dom(html));
        expect(sanitizeRenderedPage(body, html, ctx()).html).toBe(html);
      } else {
        passed++;
        expect(activeContent(sanitizeRenderedPage(body, html, ctx()).html), name).toEqual([]);
      }
    }
    // Both kinds are in the corpus: ordinary pages (raw HTML included) skip, hostile ones do not.
    expect(skipped).toBeGreaterThan(20);
    expect(passed).toBeGreaterThan(5);
  });

  it.each([
    ['plain Markdown', 'Text with [a link](https://example.com) and ![an image](/docs/_astro/x.png).\n', true],
    ['an expand macro across blocks', '<details><summary>More</summary>\n\n**Hidden**\n\n</details>\n', true],
    ['formatting raw HTML', 'a<br>b <span class="status-macro">DONE</span> <sup>1</sup> <a href="https://example.com/x">x</a>\n', true],
    ['a javascript: Markdown link', '[x](javascript:alert(1))\n', false],
    ['an event handler', '<b onclick="alert(1)">x</b>\n', false],
    ['a script', 'a <script>alert(1)</script>\n', false],
    ['an unfinished tag at the end of a block', '<div title="x\n\n" onmouseover="alert(1)">y</div>\n', false],
    ['a tag the parser sets aside', 'a <body onload="alert(1)"> b\n', false],
    ['inline SVG', '<svg><circle r="1"/></svg>\n', false],
    ['a raw link into Confluence, to resolve', '<a href="https://acme.atlassian.net/wiki/spaces/DOC/pages/300">x</a>\n', false],
    ['an attachment in raw HTML, to serve', '<img src="attachments/a.png">\n', false],
    ['text Astro would take for an image marker', '__ASTRO_IMAGE_="{}"\n', false],
  ])('%s: %s', (_name, markdown, expected) => {
    expect(rendersSafely(markdown, ctx())).toBe(expected);
  });
});
