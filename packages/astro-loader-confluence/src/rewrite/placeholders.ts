/**
 * What a page shows in place of something the site cannot show: a file the site does not have
 * (not in the export, not recoverable, withheld) and a macro the exporter could not convert. Both
 * are a short note, `<span class="confluence-placeholder …" role="note">`, styled by the Starlight
 * plugin (starlight/components/placeholders.css), never a broken `<img>` and never a link to a
 * Confluence login page. The same note is written as Markdown (raw HTML, its text escaped as
 * Markdown) and as a hast element (the HTML passes), so every syntax shows the same thing.
 *
 * File and macro names come from the page's author: control characters (a newline would end the
 * paragraph, or a table row, around the note) become spaces, and the length is capped.
 */
import type { Element } from 'hast';
import { escapeText } from './markdown-syntax.ts';

export type PlaceholderKind = 'missing-file' | 'unknown-macro';

/** The classes of each note: one shared look, one name per kind for sites that restyle them. */
export const PLACEHOLDER_CLASSES: Readonly<Record<PlaceholderKind, readonly string[]>> = {
  'missing-file': ['confluence-placeholder', 'confluence-missing-file'],
  'unknown-macro': ['confluence-placeholder', 'confluence-unknown-macro'],
};

/** Longest file name a note shows (Confluence allows 255 characters). */
const MAX_FILE_NAME = 200;
/** Longest macro name a note or warning shows: macro keys are short identifiers. */
export const MAX_MACRO_NAME = 60;

/** `text` as a note may show it: one line, at most `max` characters. */
export function shownName(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

/** The words of a missing file's note: its name, and an image's description when it says more. */
export function missingFileText(fileName: string, description?: string): string {
  const name = shownName(fileName, MAX_FILE_NAME);
  const about = description === undefined ? '' : shownName(description, MAX_FILE_NAME);
  return `File not available: ${name}${about !== '' && about !== name ? ` (${about})` : ''}`;
}

/** The words of an unknown macro's note. */
export function unknownMacroText(name: string | undefined): string {
  return name ? `This content (${name}) is available in Confluence.` : 'This content is available in Confluence.';
}

/** The note as raw HTML for a Markdown page; its text is escaped so that it reads literally, in a table cell too. */
export function placeholderMarkdown(kind: PlaceholderKind, text: string): string {
  return `<span class="${PLACEHOLDER_CLASSES[kind].join(' ')}" role="note">${escapeText(text)}</span>`;
}

/** The note as a hast element. */
export function placeholderElement(kind: PlaceholderKind, text: string): Element {
  return {
    type: 'element',
    tagName: 'span',
    properties: { className: [...PLACEHOLDER_CLASSES[kind]], role: 'note' },
    children: [{ type: 'text', value: text }],
  };
}
