/**
 * Heading texts without a parse, for the common page whose headings are plain ATX lines.
 *
 * The loader needs every linked page's heading ids before it rewrites the pages that link there
 * (anchors must land), and a full parse per page just for that costs time and, with Sätteri,
 * native memory that is not given back (about three times the page size per parse). Exported
 * pages almost always write headings as `## Plain text`, so a line scan answers; the moment the
 * scan meets anything it cannot be sure of (inline markup, escapes, entities, setext underlines,
 * indented headings, headings inside quotes or lists, HTML blocks), it gives up and the caller parses.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
/** An ATX heading indented by a space or more may belong to a list item: only a parse can tell. */
const INDENTED_ATX = /^[ \t]+#{1,6}(?:[ \t]|$)/;
/** An HTML block swallows the lines up to the next blank one, headings included. */
const HTML_BLOCK = /^ {0,3}<[a-zA-Z/!?]/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const NESTED_HEADING = /^ {0,3}(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)+#{1,6}(?:[ \t]|$)/;
/** Anything in heading text whose rendered form differs from its source. */
const MARKUP = /[*_`[\]<>!&\\~|$]/;

export interface QuickHeading {
  depth: number;
  text: string;
}

/** The headings of a page in document order, or undefined when only a parse can tell. */
export function quickHeadings(markdown: string): QuickHeading[] | undefined {
  const headings: QuickHeading[] = [];
  let fence: string | undefined;
  let previousBlank = true;
  let inHtml = false;
  for (const line of markdown.split('\n')) {
    const fenceMatch = FENCE.exec(line);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length && line.trim() === fenceMatch[1]) fence = undefined;
      previousBlank = false;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      previousBlank = false;
      continue;
    }
    const blank = line.trim() === '';
    if (!previousBlank && SETEXT_UNDERLINE.test(line)) return undefined;
    if (NESTED_HEADING.test(line) || INDENTED_ATX.test(line)) return undefined;
    if (blank) inHtml = false;
    else if (HTML_BLOCK.test(line)) inHtml = true;
    const atx = ATX.exec(line);
    if (atx) {
      if (inHtml) return undefined;
      const text = atx[2] ?? '';
      if (MARKUP.test(text)) return undefined;
      headings.push({ depth: atx[1]!.length, text: text.trim() });
    }
    previousBlank = blank;
  }
  return headings;
}
