import { describe, expect, it } from 'vitest';
import { confluenceOptionsFromEnv, ENV_VARIABLES, isConfluenceConfigured } from '../../../packages/astro-loader-confluence/src/config/env-options.ts';
import { resolveOptions } from '../../../packages/astro-loader-confluence/src/config/options.ts';
import { ConfigError } from '../../../packages/astro-loader-confluence/src/errors.ts';

describe('confluenceOptionsFromEnv', () => {
  it('is undefined when nothing says what to publish', () => {
    expect(confluenceOptionsFromEnv({})).toBeUndefined();
    expect(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: '   ', CONFLUENCE_ROOT_PAGE_ID: '' })).toBeUndefined();
    // Credentials alone publish nothing: the site builds its demo.
    expect(confluenceOptionsFromEnv({ CONFLUENCE_ACCESS_TOKEN: 't', CONFLUENCE_SITE: 'acme.atlassian.net' })).toBeUndefined();
    expect(isConfluenceConfigured({ CONFLUENCE_ACCESS_TOKEN: 't' })).toBe(false);
  });

  it.each(['CONFLUENCE_SPACE_KEY', 'CONFLUENCE_ROOT_PAGE_ID', 'CONFLUENCE_SNAPSHOT'])('counts %s as configured', (name) => {
    expect(isConfluenceConfigured({ [name]: 'x' })).toBe(true);
    expect(confluenceOptionsFromEnv({ [name]: 'x' })).toBeDefined();
  });

  it('maps each variable to its option, trimmed', () => {
    const options = confluenceOptionsFromEnv({
      CONFLUENCE_SPACE_KEY: ' DOCS ',
      CONFLUENCE_ROOT_PAGE_ID: '12345',
      CONFLUENCE_SITE: 'acme.atlassian.net',
      CONFLUENCE_CLOUD_ID: 'cloud-1',
      CONFLUENCE_ENV: 'staging',
      CONFLUENCE_ACCESS_TOKEN: 'token-abc',
      CONFLUENCE_CLIENT_ID: 'cid',
      CONFLUENCE_CLIENT_SECRET: 'secret',
      CONFLUENCE_REFRESH_TOKEN: 'refresh',
      CONFLUENCE_EXPORT_URL: 'http://127.0.0.1:1/export',
      CONFLUENCE_API_URL: 'http://127.0.0.1:1/api',
      CONFLUENCE_AUTH_URL: 'http://127.0.0.1:1/oauth/token',
      CONFLUENCE_EXCLUDE_LABELS: 'draft',
      CONFLUENCE_SNAPSHOT: 'snapshots/v1',
      CONFLUENCE_EDIT_LINKS: 'true',
    });
    expect(options).toEqual({
      spaceKey: 'DOCS',
      rootPageId: '12345',
      site: 'acme.atlassian.net',
      cloudId: 'cloud-1',
      environment: 'staging',
      accessToken: 'token-abc',
      oauth: { clientId: 'cid', clientSecret: 'secret', refreshToken: 'refresh' },
      exportUrl: 'http://127.0.0.1:1/export',
      apiUrl: 'http://127.0.0.1:1/api',
      authUrl: 'http://127.0.0.1:1/oauth/token',
      excludeLabels: ['draft'],
      snapshot: 'snapshots/v1',
      editLinks: true,
    });
  });

  it('reads every variable it documents', () => {
    const env = Object.fromEntries(ENV_VARIABLES.map((name) => [name, 'v']));
    const options = confluenceOptionsFromEnv({ ...env, CONFLUENCE_EDIT_LINKS: 'yes', CONFLUENCE_DEV_REFRESH_MS: '5000' })!;
    const values = Object.values(options).filter((v) => v !== undefined);
    // Every variable except the OAuth trio and the token store (one object), EDIT_LINKS (a boolean),
    // DEV_REFRESH_MS (a number) and the labels (a list) comes through as 'v'.
    expect(values.filter((v) => v === 'v')).toHaveLength(ENV_VARIABLES.length - 4 - 1 - 1 - 1);
    expect(options.devRefreshMs).toBe(5000);
    // CONFLUENCE_ENTRY_BODY: a number of pages becomes a number; 'keep', 'omit' (and anything else, for resolveOptions to refuse) stay words.
    expect(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_BODY: '500' })!.entryBody).toBe(500);
    expect(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_BODY: 'omit' })!.entryBody).toBe('omit');
    expect(() => resolveOptions(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_BODY: '0x10' })!)).toThrow(/entryBody "0x10" is not 'keep', 'omit' or a whole number of pages/);
    expect(() => resolveOptions(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_BODY: '-5' })!)).toThrow(/entryBody "-5"/);
    // CONFLUENCE_ENTRY_HTML reads the same way, with its own words.
    expect(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_HTML: '300' })!.entryHtml).toBe(300);
    expect(resolveOptions(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_HTML: 'file' })!).entryHtml).toBe('file');
    expect(() => resolveOptions(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_HTML: 'keep' })!)).toThrow(/entryHtml "keep" is not 'store', 'file'/);
    expect(() => resolveOptions(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_ENTRY_HTML: '1e3' })!)).toThrow(/entryHtml "1e3"/);
    expect(() => confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'D', CONFLUENCE_DEV_REFRESH_MS: 'soon' })).toThrow(/CONFLUENCE_DEV_REFRESH_MS is "soon", not a number of milliseconds/);
    expect(options.oauth).toEqual({ clientId: 'v', clientSecret: 'v', refreshToken: 'v', storePath: 'v' });
    expect(options.excludeLabels).toEqual(['v']);
  });

  it('leaves unset variables undefined', () => {
    const options = confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS' })!;
    expect(Object.entries(options).filter(([, v]) => v !== undefined)).toEqual([['spaceKey', 'DOCS']]);
  });

  it('splits labels on commas, trimming and dropping empties', () => {
    const options = confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', CONFLUENCE_EXCLUDE_LABELS: ' draft, internal ,,wip ,' })!;
    expect(options.excludeLabels).toEqual(['draft', 'internal', 'wip']);
  });

  it.each([
    [{ CONFLUENCE_CLIENT_ID: 'a' }, ['CONFLUENCE_CLIENT_SECRET', 'CONFLUENCE_REFRESH_TOKEN'], 'are'],
    [{ CONFLUENCE_CLIENT_ID: 'a', CONFLUENCE_CLIENT_SECRET: 'b' }, ['CONFLUENCE_REFRESH_TOKEN'], 'is'],
    [{ CONFLUENCE_REFRESH_TOKEN: 'c', CONFLUENCE_CLIENT_SECRET: ' ' }, ['CONFLUENCE_CLIENT_ID', 'CONFLUENCE_CLIENT_SECRET'], 'are'],
  ])('refuses partial OAuth %o, naming the missing variables', (partial, missing, verb) => {
    let error: unknown;
    try {
      confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', ...partial });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of missing) expect(message).toContain(name);
    expect(message).toContain(` ${verb} not set`);
    for (const name of ['CONFLUENCE_CLIENT_ID', 'CONFLUENCE_CLIENT_SECRET', 'CONFLUENCE_REFRESH_TOKEN']) {
      if (!missing.includes(name)) expect(message).not.toContain(name);
    }
    expect((error as ConfigError).hint).toMatch(/CONFLUENCE_ACCESS_TOKEN/);
  });

  it('never puts a given secret value in the partial-OAuth error', () => {
    try {
      confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', CONFLUENCE_CLIENT_SECRET: 'super-secret-value' });
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('super-secret-value');
      expect((error as Error).message).not.toContain('super-secret-value');
    }
  });

  it('accepts partial OAuth when an access token is given, and uses the token', () => {
    const options = confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', CONFLUENCE_CLIENT_ID: 'a', CONFLUENCE_ACCESS_TOKEN: 't' })!;
    expect(options.accessToken).toBe('t');
    expect(options.oauth).toBeUndefined();
  });

  it.each([
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    [' ', undefined],
  ])('reads CONFLUENCE_EDIT_LINKS=%j as %s', (raw, expected) => {
    expect(confluenceOptionsFromEnv({ CONFLUENCE_SPACE_KEY: 'DOCS', CONFLUENCE_EDIT_LINKS: raw })!.editLinks).toBe(expected);
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      for (const name of ENV_VARIABLES) delete process.env[name];
      expect(confluenceOptionsFromEnv()).toBeUndefined();
      process.env.CONFLUENCE_SPACE_KEY = 'FROMENV';
      expect(confluenceOptionsFromEnv()!.spaceKey).toBe('FROMENV');
    } finally {
      for (const name of ENV_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});
