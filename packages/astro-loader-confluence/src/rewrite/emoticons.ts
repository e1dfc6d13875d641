/**
 * Plugin: Confluence emoticons, exported as small images (`/images/icons/emoticons/smile.png`,
 * Atlassian emoji service URLs named by code point, or alt text such as `:smile:`), become the
 * emoji character, so they need no image and no attachment.
 */
import type { Root } from 'mdast';
import type { Plugin } from 'unified';
import { span } from './splice.ts';
import { rewriteState } from './state.ts';
import { nodesOfType } from './walk.ts';

/** Emoticon names (Confluence file names and shortcuts, normalised: lowercase, `-` for `_`) → emoji. */
export const EMOJI_FOR_EMOTICON: Readonly<Record<string, string>> = {
  smile: '🙂', sad: '🙁', cheeky: '😛', tongue: '😛', laugh: '😃', biggrin: '😃', wink: '😉',
  'thumbs-up': '👍', 'thumbs-down': '👎', information: 'ℹ️', info: 'ℹ️',
  tick: '✅', check: '✅', 'check-mark': '✅', cross: '❌', error: '❌', 'cross-mark': '❌', warning: '⚠️',
  plus: '➕', add: '➕', minus: '➖', forbidden: '➖', question: '❓', help: '❓',
  'light-on': '💡', lightbulb: '🔅', 'lightbulb-on': '💡', 'light-off': '🔅',
  'yellow-star': '⭐', 'star-yellow': '⭐', 'red-star': '🌟', 'star-red': '🌟',
  'green-star': '✳️', 'star-green': '✳️', 'blue-star': '💫', 'star-blue': '💫',
  heart: '❤️', 'broken-heart': '💔',
};

const EMOTICON_PATH = /\/emoticons\/([a-z0-9_-]+?)(?:[-_]\d+)?\.(?:png|svg|gif)(?:[?#]|$)/i;
const EMOJI_SERVICE_PATH = /\/(?:emoji|standard)\/.*?\/([0-9a-f]{4,5}(?:-[0-9a-f]{4,5})*)\.(?:png|svg)(?:[?#]|$)/i;
const SHORTCUT = /^:([a-z0-9_-]+):$/i;

/** The emoji an image stands for, or undefined when it is not an emoticon. */
export function emojiForImage(url: string, alt: string): string | undefined {
  const service = EMOJI_SERVICE_PATH.exec(url);
  if (service) return String.fromCodePoint(...service[1]!.split('-').map((hex) => Number.parseInt(hex, 16)));
  const name = EMOTICON_PATH.exec(url)?.[1] ?? SHORTCUT.exec(alt.trim())?.[1];
  return name === undefined ? undefined : EMOJI_FOR_EMOTICON[name.toLowerCase().replace(/_/g, '-')];
}

export const remarkConfluenceEmoticons: Plugin<[], Root> = function () {
  return (tree, file) => {
    const state = rewriteState(file);
    for (const node of nodesOfType(tree, 'image')) {
      const emoji = emojiForImage(node.url, node.alt ?? '');
      if (emoji === undefined) continue;
      const s = span(node)!;
      state.handled.add(node);
      state.edits.push({ start: s.start, end: s.end, replace: emoji });
    }
  };
};
