/**
 * The parse-free heading scan must give exactly the ids the full parse gives, or give up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSpace, generateSpace } from 'confluence-stand-in';
import { headingIds, findTitleHeading } from '../../../packages/astro-loader-confluence/src/rewrite/headings.ts';
import { rewriteParser } from '../../../packages/astro-loader-confluence/src/rewrite/parse.ts';
import { quickHeadings } from '../../../packages/astro-loader-confluence/src/rewrite/quick-headings.ts';
import { extractHeadingIds } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';

const parser = rewriteParser();
const parsedIds = (markdown: string) => {
  const tree = parser.parse(markdown);
  return headingIds(tree, findTitleHeading(tree));
};

const fixtures = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));

describe('quickHeadings', () => {
  const pages = [
    ...demoSpace().pages.map((p) => `# ${p.title}\n\n${p.body}`),
    ...generateSpace({ shape: 'mixed', size: 300, seed: 11 }).pages.map((p) => `# ${p.title}\n\n${p.body}`),
    ...fixtures('test/fixtures/rewrite'),
    ...fixtures('test/fixtures/fidelity-space'),
  ];

  it('agrees with the full parse on every page it answers for, and answers for most', () => {
    let answered = 0;
    for (const page of pages) {
      if (quickHeadings(page)) answered++;
      expect(extractHeadingIds(page)).toEqual(parsedIds(page));
    }
    expect(pages.length).toBeGreaterThan(300);
    expect(answered / pages.length).toBeGreaterThan(0.8);
  });

  it.each([
    ['inline markup', '# T\n\n## A *b*\n'],
    ['an escape', '# T\n\n## A \\# b\n'],
    ['a setext heading', '# T\n\nText\n----\n'],
    ['a heading in a quote', '# T\n\n> ## Quoted\n'],
    ['a heading in a list', '# T\n\n- item\n\n  ## In item\n'],
    ['an HTML block', '# T\n\n<div>\n## Not a heading\n</div>\n'],
  ])('gives up on %s', (_, markdown) => {
    expect(quickHeadings(markdown)).toBeUndefined();
    expect(extractHeadingIds(markdown)).toEqual(parsedIds(markdown));
  });

  it('skips fenced code and keeps duplicate and dashed headings as the slugger numbers them', () => {
    const markdown = '# Title\n\n## Setup\n\n```sh\n# not a heading\n```\n\n~~~\n## nor this\n~~~\n\n## Setup\n\n### A -- B\n\n# Second H1\n';
    expect(quickHeadings(markdown)).toBeDefined();
    expect(extractHeadingIds(markdown)).toEqual(['setup', 'setup-1', 'a--b', 'second-h1']);
    expect(extractHeadingIds(markdown)).toEqual(parsedIds(markdown));
  });
});
