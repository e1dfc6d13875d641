/**
 * Only the app's scopes granted: the loader still publishes a space of up to 100 pages with one
 * `spaceKey` export, and says what it cannot do and which scopes lift the limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoSpace, generateSpace, start, type StandIn } from 'confluence-stand-in';
import { ConfigError } from '../../packages/astro-loader-confluence/src/errors.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';

let standIn: StandIn | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await standIn?.stop();
  harness?.cleanup();
});

describe('without REST scopes', () => {
  it('publishes the demo space with one export call and names the missing scopes', async () => {
    standIn = await start({ port: 0, space: demoSpace(), restScopes: false });
    harness = createHarness(() => standInOptions(standIn!));
    const result = await harness.run();
    expect(standIn.counters.export).toBe(1);
    expect(standIn.counters.bulkExport).toBe(1);
    const titles = result.built!.entries.map((e) => e.data.title);
    expect(titles).toContain('Batch planning');
    expect(result.built!.entries.find((e) => e.id === 'index')?.data.title).toBe('Confluence to Starlight');
    const warning = harness.logs.find((l) => l.level === 'warn' && l.message.includes('no Confluence REST scopes'));
    expect(warning?.message).toContain('read:page:confluence');
    expect(warning?.message).toMatch(/restrictions were NOT checked/);
  });

  it('refuses to run when excluded labels are configured but cannot be read', async () => {
    standIn = await start({ port: 0, space: demoSpace(), restScopes: false });
    harness = createHarness(() => ({ ...standInOptions(standIn!), excludeLabels: ['internal'] }));
    const error = await harness.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('CONFLUENCE_EXCLUDE_LABELS');
    expect((error as ConfigError).hint).toContain('read:label:confluence');
  });

  it('warns that a space of more than 100 pages is truncated', async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 150, seed: 5, restrictedCount: 0, excludedCount: 0 }), restScopes: false });
    harness = createHarness(() => standInOptions(standIn!));
    const result = await harness.run();
    expect(result.built!.entries).toHaveLength(100);
    expect(harness.logs.some((l) => l.level === 'warn' && /probably truncated/.test(l.message))).toBe(true);
  });
});
