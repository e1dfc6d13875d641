/**
 * Golden tests: every `test/fixtures/rewrite/<case>.input.md` is rewritten with the fixed context
 * of fixtures/rewrite/context.ts and compared with `<case>.expected.md`. A case named
 * `*.confluence-policy` runs with `unpublishedLinks: 'confluence'`, `*.confluence-files` with
 * `missingFiles: 'confluence'`, `*.remove-macros` with `unknownMacros: 'remove'`; a case named `*.export` then
 * goes through the Markdown safety pass of `confluence-export export` (rewrite/markdown-html.ts),
 * as the CLI writes it. A case without an expected file fails; set UPDATE_GOLDEN=1 to (re)write
 * the expected files, then review their diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { sanitizeMarkdownHtml } from '../../../packages/astro-loader-confluence/src/rewrite/markdown-html.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const dir = join(import.meta.dirname, '../../fixtures/rewrite');
const cases = readdirSync(dir).filter((f) => f.endsWith('.input.md')).map((f) => f.slice(0, -'.input.md'.length));

describe('rewrite golden fixtures', () => {
  it('has fixtures', () => expect(cases.length).toBeGreaterThan(10));
  for (const name of cases) {
    it(name, () => {
      const input = readFileSync(join(dir, `${name}.input.md`), 'utf8');
      const context = fixtureContext(name.endsWith('.confluence-policy') ? 'confluence' : 'text', {
        ...(name.includes('.confluence-files') ? { missingFiles: 'confluence' } : {}),
        ...(name.includes('.remove-macros') ? { unknownMacros: 'remove' } : {}),
      });
      const rewritten = rewritePage(input, context).markdown;
      const markdown = name.endsWith('.export') ? sanitizeMarkdownHtml(rewritten, context).markdown : rewritten;
      const expectedPath = join(dir, `${name}.expected.md`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, markdown);
      if (!existsSync(expectedPath)) {
        expect.fail(`${name}.expected.md is missing: run with UPDATE_GOLDEN=1 to write it from the current output, then review it.`);
      }
      expect(markdown).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});
