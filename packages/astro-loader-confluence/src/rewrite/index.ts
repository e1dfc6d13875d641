// Stage rewrite: one exported page's Markdown and what the site knows in → the Markdown the site renders out.
/**
 * The rewrite stage: one exported page's Markdown in, the Markdown the site renders out. Each
 * concern is a remark plugin under rewrite/; they record edits which the splice compiler applies
 * to the original text (see rewrite/splice.ts for why, bench/rewrite.bench.ts for the numbers).
 */
import type { UnresolvedLink } from '../types.ts';
import { remarkConfluenceAlerts } from './alerts.ts';
import { remarkConfluenceAttachments } from './attachments.ts';
import type { RewriteContext } from './context.ts';
import { remarkConfluenceEmoticons } from './emoticons.ts';
import { remarkExpandMacros } from './expand.ts';
import { findTitleHeading, headingIds, headingText, slugAll, remarkHeadingIds } from './headings.ts';
import { remarkConfluenceLinks } from './links.ts';
import { rewriteParser } from './parse.ts';
import { remarkScrubUnpublishedHtml } from './scrub.ts';
import { quickHeadings } from './quick-headings.ts';
import { spliceCompiler } from './splice.ts';
import { rewriteState } from './state.ts';
import { remarkTitle } from './title.ts';
import { remarkUnknownMacros } from './unknown-macros.ts';

export type { RewriteContext } from './context.ts';

export interface RewriteResult {
  markdown: string;
  /** Title from the first `# ` heading (which is removed from the body); undefined if none. */
  title?: string;
  unresolved: UnresolvedLink[];
  /** Human-readable warnings, e.g. a missing attachment (naming the file). */
  warnings: string[];
  /** Heading ids (github-slugger, as Starlight assigns them) of this page after rewriting. */
  headingIds: string[];
}

const parser = rewriteParser().freeze();

/** Rewrites one page's exported Markdown for the site. Pure: all knowledge of other pages comes through `ctx`. */
export function rewritePage(markdown: string, ctx: RewriteContext): RewriteResult {
  // Expand macros first, alone: the Markdown they free must be parsed for its links like any other.
  const source = /<\/(?:summary|details)/i.test(markdown) ? String(parser().use(remarkExpandMacros).use(spliceCompiler).processSync(markdown)) : markdown;
  const file = parser()
    .use(remarkTitle)
    .use(remarkHeadingIds)
    .use(remarkConfluenceEmoticons)
    .use(remarkUnknownMacros, ctx)
    .use(remarkConfluenceAttachments, ctx)
    .use(remarkConfluenceLinks, ctx)
    .use(remarkScrubUnpublishedHtml, ctx)
    .use(remarkConfluenceAlerts, { syntax: ctx.alerts })
    .use(spliceCompiler)
    .processSync(source);
  const state = rewriteState(file);
  return {
    markdown: String(file.value),
    title: state.title,
    unresolved: state.unresolved,
    warnings: state.warnings,
    headingIds: state.headingIds,
  };
}

/** The heading ids Starlight will give a page's body headings (title excluded), from the exported Markdown. */
export function extractHeadingIds(markdown: string): string[] {
  const quick = quickHeadings(markdown);
  if (quick) {
    // The title is the first depth-1 heading; every other heading gets an id, in order.
    const title = quick.findIndex((h) => h.depth === 1);
    return slugAll(quick.filter((_, i) => i !== title).map((h) => h.text));
  }
  const tree = parser.parse(markdown);
  return headingIds(tree, findTitleHeading(tree));
}

/** The page title: the text of the first `# ` heading; undefined if there is none. */
export function extractTitle(markdown: string): string | undefined {
  const heading = findTitleHeading(parser.parse(markdown));
  return heading && headingText(heading).trim();
}
