/**
 * Maps a Confluence heading anchor to the id Starlight gives the same heading. Confluence writes
 * `#Heading-Text` (words joined by `-`, case kept) or, in older pages, `#PageTitle-HeadingText`;
 * Starlight uses github-slugger (`heading-text`). Both sides are compared after lowercasing and
 * dropping everything but letters and digits, which is what the two schemes disagree on.
 */
import { decodeSegment } from './confluence-urls.ts';

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The heading id on the target page that `anchor` (as written in the URL, possibly
 * percent-encoded) refers to, or undefined when the page has no such heading.
 */
export function matchAnchor(anchor: string, headingIds: Iterable<string>, pageTitle: string): string | undefined {
  const decoded = decodeSegment(anchor);
  const byNormal = new Map<string, string>();
  for (const id of headingIds) {
    if (id === decoded) return id;
    const key = normalise(id);
    if (!byNormal.has(key)) byNormal.set(key, id);
  }
  const wanted = normalise(decoded);
  const direct = byNormal.get(wanted);
  if (direct !== undefined) return direct;
  const titlePrefix = normalise(pageTitle);
  return titlePrefix && wanted.startsWith(titlePrefix) ? byNormal.get(wanted.slice(titlePrefix.length)) : undefined;
}
