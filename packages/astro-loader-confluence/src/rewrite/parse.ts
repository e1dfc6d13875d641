/**
 * The parser every rewrite pass runs: Sätteri's native Markdown parser (the one Astro 7 renders
 * pages with by default) producing an mdast tree with source offsets, plugged into unified so the
 * rewrite stays a pipeline of remark-style plugins.
 *
 * Decision, measured (docs/fidelity.md): remark-parse (micromark) alone took several times
 * longer than Astro's whole render of the same page, so `rewrite.per_page_vs_render` could not
 * get near its goal with it; Sätteri parses the same 30 KB page in a few milliseconds. Parsing
 * with the renderer's own parser also means the rewrite sees exactly the constructs the page is
 * rendered with (GFM tables, autolink literals, footnotes, HTML blocks).
 */
import { markdownToMdast } from 'satteri';
import { unified, type Processor } from 'unified';
import type { Root } from 'mdast';

/**
 * GFM as Astro renders it. No smart punctuation: node values must equal their source text; the
 * heading ids apply Astro's smart dashes themselves (headings.ts). No frontmatter: an exported
 * page starts with its `# Title`, and a `---` rule later on is content.
 */
const FEATURES = { gfm: true, frontmatter: false, smartPunctuation: false } as const;

/** The parse used by every rewrite pass. */
export function rewriteParser(): Processor<Root> {
  return unified().use(function () {
    this.parser = (document: string) => markdownToMdast(document, { features: FEATURES }) as unknown as Root;
  }) as unknown as Processor<Root>;
}
