import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS } from '../../../packages/astro-loader-confluence/src/export/archive.ts';
import { ConfigError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { ENTRY_BODY_MAX_PAGES, ENTRY_HTML_MAX_PAGES, keepsBody, resolveOptions, storesHtml, type ConfluenceLoaderOptions } from '../../../packages/astro-loader-confluence/src/config/options.ts';

function configError(input: ConfluenceLoaderOptions): ConfigError {
  try {
    resolveOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`resolveOptions accepted ${JSON.stringify(input)}`);
}

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    const resolved = resolveOptions({ spaceKey: 'DOCS' });
    expect(resolved).toMatchObject({
      spaceKey: 'DOCS',
      environment: 'production',
      excludeLabels: [],
      checkRestrictions: true,
      unpublishedLinks: 'text',
      missingFiles: 'placeholder',
      unknownMacros: 'note',
      failOnUnresolvedLinks: false,
      concurrency: 4,
      includeAttachments: true,
      editLinks: true,
      requestTimeoutMs: 30_000,
      deadlineMs: 30 * 60_000,
      retries: 5,
      retryBaseDelayMs: 500,
      contentDir: 'docs',
      entryBody: ENTRY_BODY_MAX_PAGES,
      entryHtml: ENTRY_HTML_MAX_PAGES,
    });
    expect(resolved.archiveLimits).toEqual(DEFAULT_ARCHIVE_LIMITS);
    // A little above the app's 25 s function limit, so the app times out first.
    expect(resolved.requestTimeoutMs).toBeGreaterThan(25_000);
  });

  it('keeps given values over defaults, falsy ones included', () => {
    const given = {
      rootPageId: '123',
      environment: 'development',
      checkRestrictions: false,
      includeAttachments: false,
      editLinks: false,
      concurrency: 1,
      retries: 0,
      retryBaseDelayMs: 0,
      unpublishedLinks: 'confluence',
      missingFiles: 'confluence',
      unknownMacros: 'remove',
      failOnUnresolvedLinks: true,
      contentDir: 'wiki',
      entryBody: 0,
      entryHtml: 'file',
    } as const;
    const resolved = resolveOptions(given);
    expect(resolved).toMatchObject(given);
  });

  it('merges partial archive limits over the defaults', () => {
    const resolved = resolveOptions({ spaceKey: 'DOCS', archiveLimits: { maxEntries: 10 } });
    expect(resolved.archiveLimits).toEqual({ ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 10 });
  });

  it('trims labels and drops empty ones', () => {
    expect(resolveOptions({ spaceKey: 'DOCS', excludeLabels: [' draft ', '', '  ', 'wip'] }).excludeLabels).toEqual(['draft', 'wip']);
  });

  it('accepts a snapshot alone, personal space keys and http stand-in URLs', () => {
    expect(resolveOptions({ snapshot: 'snapshots/v1' }).snapshot).toBe('snapshots/v1');
    expect(resolveOptions({ spaceKey: '~5f1a2b' }).spaceKey).toBe('~5f1a2b');
    expect(resolveOptions({ spaceKey: 'D', exportUrl: 'http://127.0.0.1:4010/x', apiUrl: 'https://api.atlassian.com/ex/confluence/abc' }).exportUrl).toBe(
      'http://127.0.0.1:4010/x',
    );
  });

  it.each<[string, ConfluenceLoaderOptions, RegExp, RegExp]>([
    ['nothing to publish', {}, /neither spaceKey nor rootPageId/, /CONFLUENCE_SPACE_KEY/],
    ['a rootPageId that is not a number', { rootPageId: 'My Page' }, /rootPageId "My Page"/, /number in the page URL/],
    ['a space key with spaces', { spaceKey: 'MY SPACE' }, /spaceKey "MY SPACE"/, /space URL/],
    ['a space key that is a URL', { spaceKey: 'https://acme.atlassian.net/wiki/spaces/DOCS' }, /is not a space key/, /space URL/],
    ['an unknown environment', { spaceKey: 'D', environment: 'prod' as never }, /environment "prod"/, /production, staging, development/],
    ['concurrency 0', { spaceKey: 'D', concurrency: 0 }, /concurrency 0/, /1 to 32/],
    ['concurrency 33', { spaceKey: 'D', concurrency: 33 }, /concurrency 33/, /1 to 32/],
    ['fractional concurrency', { spaceKey: 'D', concurrency: 2.5 }, /concurrency 2\.5/, /whole number/],
    ['NaN concurrency', { spaceKey: 'D', concurrency: Number.NaN }, /concurrency NaN/, /whole number/],
    ['an empty oauth secret', { spaceKey: 'D', oauth: { clientId: 'a', clientSecret: '', refreshToken: 'r' } }, /oauth\.clientSecret is empty/, /CONFLUENCE_CLIENT_SECRET/],
    ['an empty oauth refresh token', { spaceKey: 'D', oauth: { clientId: 'a', clientSecret: 's', refreshToken: '' } }, /oauth\.refreshToken/, /CONFLUENCE_ACCESS_TOKEN/],
    ['an exportUrl without a scheme', { spaceKey: 'D', exportUrl: 'api.atlassian.com/x' }, /exportUrl "api\.atlassian\.com\/x"/, /full base URL/],
    ['an ftp apiUrl', { spaceKey: 'D', apiUrl: 'ftp://host/x' }, /apiUrl/, /full base URL/],
    ['an authUrl with a space', { spaceKey: 'D', authUrl: 'https://auth.atlassian.com/oauth token' }, /authUrl/, /full base URL/],
    ['negative retries', { spaceKey: 'D', retries: -1 }, /retries -1/, /0 to never retry/],
    ['fractional retries', { spaceKey: 'D', retries: 1.5 }, /retries 1\.5 is not a whole number/, /default 5/],
    ['a negative retryBaseDelayMs', { spaceKey: 'D', retryBaseDelayMs: -10 }, /retryBaseDelayMs -10/, /Leave it unset/],
    ['an unknown unpublishedLinks', { spaceKey: 'D', unpublishedLinks: 'drop' as never }, /unpublishedLinks "drop"/, /'text'/],
    ['an unknown missingFiles', { spaceKey: 'D', missingFiles: 'link' as never }, /missingFiles "link"/, /'placeholder'.*'confluence'/],
    ['an unknown entryBody', { spaceKey: 'D', entryBody: 'drop' as never }, /entryBody "drop"/, /'keep'.*'omit'/],
    ['a negative entryBody', { spaceKey: 'D', entryBody: -1 }, /entryBody -1/, /'keep'.*'omit'/],
    ['a fractional entryBody', { spaceKey: 'D', entryBody: 2.5 }, /entryBody 2\.5 is not .*a whole number of pages/, /'keep'.*'omit'/],
    ['an unknown entryHtml', { spaceKey: 'D', entryHtml: 'disk' as never }, /entryHtml "disk" is not 'store', 'file' or a whole number of pages/, /'store'.*'file'/],
    ['a negative entryHtml', { spaceKey: 'D', entryHtml: -3 }, /entryHtml -3/, /'store'.*'file'/],
    ['a fractional entryHtml', { spaceKey: 'D', entryHtml: 0.5 }, /entryHtml 0\.5/, /'store'.*'file'/],
    ['an entryHtml that is not a number', { spaceKey: 'D', entryHtml: Number.NaN }, /entryHtml null/, /'store'.*'file'/],
    ['an unknown unknownMacros', { spaceKey: 'D', unknownMacros: 'hide' as never }, /unknownMacros "hide"/, /'note'.*'remove'/],
  ])('refuses %s with a ConfigError and a hint', (_name, input, message, hint) => {
    const error = configError(input);
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(hint);
    expect(error.code).toBe('CONFIG');
  });

  it('keeps entry bodies up to the threshold, always with keep, never with omit', () => {
    expect(keepsBody(ENTRY_BODY_MAX_PAGES, ENTRY_BODY_MAX_PAGES)).toBe(true);
    expect(keepsBody(ENTRY_BODY_MAX_PAGES, ENTRY_BODY_MAX_PAGES + 1)).toBe(false);
    expect(keepsBody(0, 0)).toBe(true);
    expect(keepsBody(0, 1)).toBe(false);
    expect(keepsBody('keep', 1_000_000)).toBe(true);
    expect(keepsBody('omit', 1)).toBe(false);
  });

  it('keeps page HTML in the store up to the threshold, always with store, never with file', () => {
    expect(storesHtml(ENTRY_HTML_MAX_PAGES, ENTRY_HTML_MAX_PAGES)).toBe(true);
    expect(storesHtml(ENTRY_HTML_MAX_PAGES, ENTRY_HTML_MAX_PAGES + 1)).toBe(false);
    expect(storesHtml(0, 1)).toBe(false);
    expect(storesHtml('store', 1_000_000)).toBe(true);
    expect(storesHtml('file', 1)).toBe(false);
    // The words of one option mean nothing to the other.
    expect(storesHtml('keep' as never, 1)).toBe(false);
    expect(keepsBody('store' as never, 1)).toBe(false);
  });

  it('does not echo an OAuth secret in its errors', () => {
    const error = configError({ spaceKey: 'D', oauth: { clientId: '', clientSecret: 'hunter2-secret', refreshToken: 'r-token-value' } });
    expect(`${error.message} ${error.hint}`).not.toMatch(/hunter2-secret|r-token-value/);
  });

  it('does not alias the input', () => {
    const input: ConfluenceLoaderOptions = { spaceKey: 'DOCS', excludeLabels: ['a'], archiveLimits: { maxEntries: 3 } };
    const resolved = resolveOptions(input);
    resolved.excludeLabels.push('b');
    resolved.archiveLimits.maxEntries = 99;
    expect(input).toEqual({ spaceKey: 'DOCS', excludeLabels: ['a'], archiveLimits: { maxEntries: 3 } });
  });
});
