/**
 * Golden tests: every `test/fixtures/rewrite/<case>.input.md` is rewritten with the fixed context
 * of fixtures/rewrite/context.ts and compared with `<case>.expected.md`. A case named
 * `*.confluence-policy` runs with `unpublishedLinks: 'confluence'`. A case without an expected file
 * fails; set UPDATE_GOLDEN=1 to (re)write the expected files, then review their diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewritePage } from '../../../packages/astro-loader-confluence/src/rewrite/index.ts';
import { fixtureContext } from '../../fixtures/rewrite/context.ts';

const dir = join(import.meta.dirname, '../../fixtures/rewrite');
const cases = readdirSync(dir).filter((f) => f.endsWith('.input.md')).map((f) => f.slice(0, -'.input.md'.length));

describe('rewrite golden fixtures', () => {
  it('has fixtures', () => expect(cases.length).toBeGreaterThan(10));
  for (const name of cases) {
    it(name, () => {
      const input = readFileSync(join(dir, `${name}.input.md`), 'utf8');
      const result = rewritePage(input, fixtureContext(name.endsWith('.confluence-policy') ? 'confluence' : 'text'));
      const expectedPath = join(dir, `${name}.expected.md`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, result.markdown);
      if (!existsSync(expectedPath)) {
        expect.fail(`${name}.expected.md is missing: run with UPDATE_GOLDEN=1 to write it from the current output, then review it.`);
      }
      expect(result.markdown).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});
