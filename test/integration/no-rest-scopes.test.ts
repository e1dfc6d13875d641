/**
 * Only the app's scopes granted. Whether REST can be used is decided once, by the first REST call:
 * by default the loader then publishes nothing and exports nothing (it cannot check restrictions),
 * and says which scopes to grant; only a site that sets `checkRestrictions: false` gets the old
 * path, a space of up to 100 pages in one `spaceKey` export, unchecked, with a warning.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoSpace, generateSpace, start, type StandIn } from 'confluence-stand-in';
import { AuthError, ConfigError, RestScopeError } from '../../packages/astro-loader-confluence/src/errors.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';

let standIn: StandIn | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await standIn?.stop();
  harness?.cleanup();
});

describe('without REST scopes', () => {
  it('by default exports nothing and publishes nothing, naming the scopes and the opt-out', async () => {
    standIn = await start({ port: 0, space: demoSpace(), restScopes: false });
    harness = createHarness(() => standInOptions(standIn!));
    const error = await harness.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestScopeError);
    expect((error as Error).message).toMatch(/cannot check which pages are restricted, and it publishes nothing it has not checked/);
    expect((error as RestScopeError).hint).toContain('read:content-details:confluence');
    expect((error as RestScopeError).hint).toContain('checkRestrictions: false');
    expect(standIn.counters.export).toBe(0);
    expect(standIn.counters.rest).toBe(1);
    expect(harness.state).toBeUndefined();
  });

  it('says an invalid token (401 from REST) is refused, still exporting nothing', async () => {
    standIn = await start({ port: 0, space: demoSpace() });
    harness = createHarness(() => ({ ...standInOptions(standIn!), accessToken: 'not-a-valid-token-123' }));
    const error = await harness.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/access token was refused by Confluence REST \(401\)/);
    expect(standIn.counters.export).toBe(0);
  });

  it('with checkRestrictions: false, publishes the demo space with one export call and says what it did not check', async () => {
    standIn = await start({ port: 0, space: demoSpace(), restScopes: false });
    harness = createHarness(() => ({ ...standInOptions(standIn!), checkRestrictions: false }));
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
    harness = createHarness(() => ({ ...standInOptions(standIn!), checkRestrictions: false, excludeLabels: ['internal'] }));
    const error = await harness.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('CONFLUENCE_EXCLUDE_LABELS');
    expect((error as ConfigError).hint).toContain('read:label:confluence');
    expect(standIn.counters.export).toBe(0);
  });

  it('warns that a space of more than 100 pages is truncated', async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 150, seed: 5, restrictedCount: 0, excludedCount: 0 }), restScopes: false });
    harness = createHarness(() => ({ ...standInOptions(standIn!), checkRestrictions: false }));
    const result = await harness.run();
    expect(result.built!.entries).toHaveLength(100);
    expect(harness.logs.some((l) => l.level === 'warn' && /probably truncated/.test(l.message))).toBe(true);
  });
});
