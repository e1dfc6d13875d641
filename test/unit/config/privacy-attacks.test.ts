/**
 * Attacks on the configuration (issue 10): an excluded label written so that it can never match a
 * Confluence label silently excludes nothing. A test titled "FINDING:" failed when written.
 */
import { describe, expect, it } from 'vitest';
import { confluenceOptionsFromEnv } from '../../../packages/astro-loader-confluence/src/config/env-options.ts';
import { resolveOptions } from '../../../packages/astro-loader-confluence/src/config/options.ts';

describe('excluded labels', () => {
  it.each([
    ['two labels separated by a space', 'internal secret'],
    ['two labels separated by a semicolon', 'internal;secret'],
    ['a personal label with its prefix', 'my:internal'],
  ])('FINDING: %s (no Confluence label can be written so) is a ConfigError, never a label that matches nothing', (_what, value) => {
    const fromEnv = confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', CONFLUENCE_EXCLUDE_LABELS: value });
    expect(() => resolveOptions(fromEnv!)).toThrow(/CONFLUENCE_EXCLUDE_LABELS|excludeLabels/);
  });

  it('labels separated by commas, with spaces around them and in any case, are each excluded', () => {
    const fromEnv = confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', CONFLUENCE_EXCLUDE_LABELS: ' Internal , secret ,' });
    expect(resolveOptions(fromEnv!).excludeLabels).toEqual(['Internal', 'secret']);
  });
});
