/**
 * Rewrite cost per page against Astro's Markdown render cost (performance.md:
 * `rewrite.per_page_vs_render`, goal ≤ 0.25). Also measures the alternative the splice compiler
 * was chosen over: the same parse re-serialised with remark-stringify.
 *
 * Run: `node bench/rewrite.bench.ts`
 */
import { createMarkdownProcessor } from '@astrojs/markdown-remark';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { rewritePage } from '../packages/astro-loader-confluence/src/rewrite/index.ts';
import { sanitizeRenderedHtml } from '../packages/astro-loader-confluence/src/rewrite/rendered-html.ts';
import { fixtureContext } from '../test/fixtures/rewrite/context.ts';

/** A realistic exported page of about `sections` × 750 bytes: links in every form, a table, code, images, a panel. */
export function samplePage(sections: number): string {
  let page = '# Current Page\n\nThis page describes the setup. See the [guide](https://acme.atlassian.net/wiki/spaces/DOC/pages/4986372097/Setup+Guide).\n\n';
  for (let i = 0; i < sections; i++) {
    page +=
      `## Section ${i}\n\nRead [the setup guide](https://acme.atlassian.net/wiki/spaces/DOC/pages/4986372097/Setup+Guide#Configure-the-Proxy), ` +
      `the <https://acme.atlassian.net/wiki/x/AQA2KQE> tiny link, [notes](/wiki/display/DOC/Release+Notes) and an ` +
      `[external site](https://example.com/docs/${i}). Some *emphasis*, \`inline code\` and **bold** text_with_underscores.\n\n` +
      `| Component | Owner | Docs |\n| --- | :---: | --- |\n| api-${i} | @Jane Doe | [spec](/wiki/pages/viewpage.action?pageId=300) |\n| web-${i} | @John Roe | [restricted](/wiki/spaces/DOC/pages/666) |\n\n` +
      `- step one\n- step two with ![diagram](attachments/diagram%20${i}.png)\n  - nested\n\n` +
      `> **Note:** remember to check [known issues](https://acme.atlassian.net/wiki/spaces/DOC/pages/300#Known-Issues).\n\n` +
      '```bash\nnpm install --save my-package\n```\n\n';
  }
  return page;
}

function timePerCall(fn: () => unknown, minMs = 300): number {
  for (let i = 0; i < 5; i++) fn();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    calls++;
  }
  return (performance.now() - start) / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median rewrite and render milliseconds per page over `pages`, and their ratio. The rewrite's
 * time includes the sanitising pass over the rendered HTML (rewrite/rendered-html.ts), which the
 * loader runs on every page it renders. Rewrite and render calls alternate, so that load from
 * other processes weighs on both alike.
 */
export async function measureRewrite(pages: string[], rounds = 40): Promise<{ rewriteMs: number; renderMs: number; ratio: number }> {
  const renderer = await createMarkdownProcessor();
  const context = fixtureContext();
  let rewriteMs = 0;
  let renderMs = 0;
  for (const page of pages) {
    const rewritten = rewritePage(page, context).markdown;
    let html = '';
    for (let i = 0; i < 5; i++) html = (await renderer.render(rewritten)).code;
    const rewrites: number[] = [];
    const renders: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let start = performance.now();
      rewritePage(page, context);
      sanitizeRenderedHtml(html, context);
      rewrites.push(performance.now() - start);
      start = performance.now();
      await renderer.render(rewritten);
      renders.push(performance.now() - start);
    }
    rewriteMs += median(rewrites);
    renderMs += median(renders);
  }
  return { rewriteMs: rewriteMs / pages.length, renderMs: renderMs / pages.length, ratio: rewriteMs / renderMs };
}

/** The alternative: a full GFM parse re-serialised with remark-stringify (no rewriting at all). */
function measureRestringify(page: string): { ms: number; changedLines: number } {
  const processor = unified().use(remarkParse).use(remarkGfm).use(remarkStringify);
  const ms = timePerCall(() => processor.processSync(page));
  const out = String(processor.processSync(page)).split('\n');
  const original = page.split('\n');
  const changedLines = original.filter((line, i) => out[i] !== line).length;
  return { ms, changedLines };
}

if (import.meta.main) {
  for (const [label, page] of [['~3 KB', samplePage(3)], ['~30 KB', samplePage(38)]] as const) {
    const { rewriteMs, renderMs, ratio } = await measureRewrite([page]);
    const restringify = measureRestringify(page);
    console.log(
      `${label} (${page.length} B): rewrite ${rewriteMs.toFixed(2)} ms, render ${renderMs.toFixed(2)} ms, ratio ${ratio.toFixed(3)} (goal ≤ 0.25); ` +
        `parse+stringify alone ${restringify.ms.toFixed(2)} ms (ratio ${(restringify.ms / renderMs).toFixed(3)}), reformatting ${restringify.changedLines} of ${page.split('\n').length} lines`,
    );
  }
}
