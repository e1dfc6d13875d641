/**
 * The parser the rewrite runs: remark-parse + remark-gfm with the constructs that can never
 * change what the rewrite sees switched off. Parsing is most of the rewrite's cost and about as
 * expensive as half of Astro's whole render (bench/rewrite.bench.ts), and the splice compiler
 * never needs emphasis, tables, strikethrough, task lists or footnotes as nodes: their text is
 * kept byte for byte, and links inside them are still found (a table row parses as a paragraph).
 * Heading text, where emphasis does matter for the slug, is re-parsed with {@link fullParser}.
 */
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified, type Plugin, type Processor } from 'unified';
import type { Root } from 'mdast';

const UNNEEDED_CONSTRUCTS = [
  'attention',
  'strikethrough',
  'table',
  'tasklistCheck',
  'gfmFootnoteDefinition',
  'gfmFootnoteCall',
  'gfmPotentialFootnoteCall',
  'hardBreakEscape',
];

/** Plugin: turn off the micromark constructs listed above (add after remark-gfm). */
export const remarkRewriteSyntax: Plugin<[], Root> = function () {
  const data = this.data();
  (data.micromarkExtensions ??= []).push({ disable: { null: UNNEEDED_CONSTRUCTS } });
};

/** The parse used by every rewrite pass. */
export function rewriteParser(): Processor<Root> {
  return unified().use(remarkParse).use(remarkGfm).use(remarkRewriteSyntax) as unknown as Processor<Root>;
}

/** Full GFM parse, as Astro does it; used only on short snippets such as heading text. */
export const fullParser: Processor<Root> = unified().use(remarkParse).use(remarkGfm).freeze() as unknown as Processor<Root>;
