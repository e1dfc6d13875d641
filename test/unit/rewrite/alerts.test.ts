/**
 * Panels to asides (rewrite/alerts.ts), checked where it matters against the tree Astro renders:
 * Sätteri with container directives on, as Starlight configures it for its asides.
 */
import type { ContainerDirective } from 'mdast-util-directive';
import type { Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { markdownToMdast } from 'satteri';
import { describe, expect, it } from 'vitest';
import { keepAsText } from '../../../packages/astro-loader-confluence/src/rewrite/alerts.ts';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

/** The asides of a page's rewritten Markdown, parsed as Astro parses it for Starlight. */
function asides(markdown: string): ContainerDirective[] {
  const tree = markdownToMdast(markdown, { features: { gfm: true, directive: true } }) as unknown as Root;
  return tree.children.filter((node: RootContent): node is ContainerDirective => node.type === 'containerDirective');
}

describe('text after a bold panel label stays text (issue 14, defect 1)', () => {
  it.each([
    ['> **Note** > `walk` is `async` and **must** be `await`ed.', 'note', '> walk is async and must be awaited.'],
    ['> **Note:** - this dash', 'note', '- this dash'],
    ['> **Warning:** # of retries', 'caution', '# of retries'],
    ['> **Tip:** 2024. was the year', 'tip', '2024. was the year'],
    ['> **Info:** + plus, then\n> a second line', 'note', '+ plus, then\na second line'],
    ['> **Error:** ``` is a fence', 'danger', '``` is a fence'],
    ['> **Note:** * a star', 'note', '* a star'],
    ['> **Note:** ---', 'note', '---'],
    ['> **Note:** 1) first', 'note', '1) first'],
  ])('%s', (input, type, text) => {
    const [aside, ...others] = asides(rewritePage(`# T\n\n${input}\n`, fixtureContext()).markdown);
    expect(others).toEqual([]);
    expect(aside?.name).toBe(type);
    // One paragraph holding the words the reader saw: no quote, list, heading, code or rule.
    expect(aside!.children.map((child) => child.type)).toEqual(['paragraph']);
    expect(toString(aside!.children[0])).toBe(text);
  });

  it('leaves Markdown that starts a line anyway as it was: a list after the label on its own line', () => {
    const [aside] = asides(rewritePage('# T\n\n> **Note:**\n> - one\n> - two\n', fixtureContext()).markdown);
    expect(aside!.children.map((child) => child.type)).toEqual(['list']);
  });

  it('escapes only what would open a block', () => {
    expect(keepAsText('#hashtag and -- dashes')).toBe('#hashtag and -- dashes');
    expect(keepAsText('-- two dashes')).toBe('-- two dashes');
    expect(keepAsText('*** three stars')).toBe('*** three stars');
    expect(keepAsText('***')).toBe('\\***');
    expect(keepAsText('<kbd>Ctrl</kbd> copies')).toBe('<kbd>Ctrl</kbd> copies');
    expect(keepAsText('> quoted\n- next line is a list')).toBe('\\> quoted\n- next line is a list');
    expect(keepAsText('2024. was')).toBe('2024\\. was');
    expect(keepAsText('[ref]: https://example.com')).toBe('\\[ref]: https://example.com');
  });
});
