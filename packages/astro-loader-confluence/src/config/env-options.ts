/**
 * The site's way of filling the loader's options: the `CONFLUENCE_*` environment variables of the
 * contract. Returns `undefined` when nothing at all is configured (the site then builds its demo).
 */
import type { ConfluenceEnvironment, ConfluenceLoaderOptions } from './options.ts';
import { ConfigError } from '../errors.ts';

export type Env = Record<string, string | undefined>;

/** Every variable the loader reads, for documentation and for `doctor`. */
export const ENV_VARIABLES = [
  'CONFLUENCE_SPACE_KEY',
  'CONFLUENCE_ROOT_PAGE_ID',
  'CONFLUENCE_SITE',
  'CONFLUENCE_CLOUD_ID',
  'CONFLUENCE_ENV',
  'CONFLUENCE_ACCESS_TOKEN',
  'CONFLUENCE_CLIENT_ID',
  'CONFLUENCE_CLIENT_SECRET',
  'CONFLUENCE_REFRESH_TOKEN',
  'CONFLUENCE_EXPORT_URL',
  'CONFLUENCE_API_URL',
  'CONFLUENCE_AUTH_URL',
  'CONFLUENCE_EXCLUDE_LABELS',
  'CONFLUENCE_SNAPSHOT',
  'CONFLUENCE_SNAPSHOTS_DIR',
  'CONFLUENCE_TOKEN_STORE',
  'CONFLUENCE_EDIT_LINKS',
  'CONFLUENCE_VERSIONS_DIR',
  'CONFLUENCE_DEV_REFRESH_MS',
  'CONFLUENCE_REPORT',
  'CONFLUENCE_ENTRY_BODY',
  'CONFLUENCE_ENTRY_HTML',
] as const;

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

function milliseconds(env: Env, name: string): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} is "${raw}", not a number of milliseconds.`, { hint: `Set ${name} to a whole number, e.g. 5000, or 0 to turn it off.` });
  return Number(raw);
}

/** A word (`keep`, `file`…) or a number of pages; anything else reaches resolveOptions, which names it. */
function wordOrPages<T>(raw: string | undefined): T | undefined {
  return (raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : raw) as T | undefined;
}

/** True when any variable that says what to publish (or from where) is set. */
export function isConfluenceConfigured(env: Env = process.env): boolean {
  return Boolean(value(env, 'CONFLUENCE_SPACE_KEY') || value(env, 'CONFLUENCE_ROOT_PAGE_ID') || value(env, 'CONFLUENCE_SNAPSHOT'));
}

export function confluenceOptionsFromEnv(env: Env = process.env): ConfluenceLoaderOptions | undefined {
  if (!isConfluenceConfigured(env)) return undefined;
  const clientId = value(env, 'CONFLUENCE_CLIENT_ID');
  const clientSecret = value(env, 'CONFLUENCE_CLIENT_SECRET');
  const refreshToken = value(env, 'CONFLUENCE_REFRESH_TOKEN');
  const oauthParts = [clientId, clientSecret, refreshToken].filter(Boolean).length;
  if (oauthParts > 0 && oauthParts < 3 && !value(env, 'CONFLUENCE_ACCESS_TOKEN')) {
    const missing = [
      !clientId && 'CONFLUENCE_CLIENT_ID',
      !clientSecret && 'CONFLUENCE_CLIENT_SECRET',
      !refreshToken && 'CONFLUENCE_REFRESH_TOKEN',
    ].filter(Boolean);
    throw new ConfigError(`The OAuth refresh flow needs three variables; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`, {
      hint: 'Set all of CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN (run `confluence-export auth` to get a refresh token), or set CONFLUENCE_ACCESS_TOKEN instead.',
    });
  }
  const labels = value(env, 'CONFLUENCE_EXCLUDE_LABELS');
  return {
    spaceKey: value(env, 'CONFLUENCE_SPACE_KEY'),
    rootPageId: value(env, 'CONFLUENCE_ROOT_PAGE_ID'),
    site: value(env, 'CONFLUENCE_SITE'),
    cloudId: value(env, 'CONFLUENCE_CLOUD_ID'),
    environment: value(env, 'CONFLUENCE_ENV') as ConfluenceEnvironment | undefined,
    accessToken: value(env, 'CONFLUENCE_ACCESS_TOKEN'),
    oauth: clientId && clientSecret && refreshToken ? { clientId, clientSecret, refreshToken, storePath: value(env, 'CONFLUENCE_TOKEN_STORE') } : undefined,
    exportUrl: value(env, 'CONFLUENCE_EXPORT_URL'),
    apiUrl: value(env, 'CONFLUENCE_API_URL'),
    authUrl: value(env, 'CONFLUENCE_AUTH_URL'),
    excludeLabels: labels ? labels.split(',').map((l) => l.trim()).filter(Boolean) : undefined,
    snapshot: value(env, 'CONFLUENCE_SNAPSHOT'),
    versionsDir: value(env, 'CONFLUENCE_VERSIONS_DIR'),
    snapshotsDir: value(env, 'CONFLUENCE_SNAPSHOTS_DIR'),
    devRefreshMs: milliseconds(env, 'CONFLUENCE_DEV_REFRESH_MS'),
    report: value(env, 'CONFLUENCE_REPORT'),
    entryBody: wordOrPages<ConfluenceLoaderOptions['entryBody']>(value(env, 'CONFLUENCE_ENTRY_BODY')),
    entryHtml: wordOrPages<ConfluenceLoaderOptions['entryHtml']>(value(env, 'CONFLUENCE_ENTRY_HTML')),
    editLinks: value(env, 'CONFLUENCE_EDIT_LINKS') === undefined ? undefined : !/^(false|0|no|off)$/i.test(value(env, 'CONFLUENCE_EDIT_LINKS')!),
  };
}
