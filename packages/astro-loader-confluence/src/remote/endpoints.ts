/**
 * Where the remote APIs live. Pure URL building from the settings (contract.md §2), plus the one
 * look-up that turns a site name into a cloud id.
 */
import { ConfigError, ConfluenceLoaderError, NetworkError } from '../errors.ts';
import type { HttpClient } from './http-client.ts';
import { tenantInfoSchema } from './schemas.ts';

/** Markdown Exporter for Confluence, as its API pages list it. */
export const APP_ID = '0def1d4f-1593-4dd0-99a3-a098b3959067';

export const ENV_IDS = {
  production: '796457c9-9c03-4382-b44f-d19571068ece',
  staging: '73c9d7be-47c5-479a-b08d-14fb79453df8',
  development: '08a10a13-932b-47bb-b760-0cc1e93d4a50',
} as const;

export type ConfluenceEnv = keyof typeof ENV_IDS;

/** The app environment id for CONFLUENCE_ENV; `production` when unset. */
export function envId(env: string | undefined = 'production'): string {
  const key = (env.trim() || 'production').toLowerCase();
  if (Object.hasOwn(ENV_IDS, key)) return ENV_IDS[key as ConfluenceEnv];
  throw new ConfigError(`CONFLUENCE_ENV is "${env}", which is not an environment of the app.`, {
    hint: 'Use production (the default), staging or development: the environment your OAuth integration is connected to.',
  });
}

export interface ExportBaseUrlOptions {
  cloudId?: string;
  env?: string;
  /** Needed for the gateway form. */
  site?: string;
  /** CONFLUENCE_EXPORT_URL: wins over everything else. */
  exportUrl?: string;
  /** `api` (default): api.atlassian.com; `gateway`: through the site's own host. */
  form?: 'api' | 'gateway';
}

/** The app API base, i.e. the part before `/bulkExport`, without a trailing slash. */
export function exportBaseUrl(options: ExportBaseUrlOptions): string {
  if (options.exportUrl?.trim()) return checkedBase(options.exportUrl, 'CONFLUENCE_EXPORT_URL');
  const app = `${APP_ID}_${envId(options.env)}`;
  if (options.form === 'gateway') {
    if (!options.site?.trim()) {
      throw new ConfigError('The gateway URL form needs the site name, and CONFLUENCE_SITE is not set.', {
        hint: 'Set CONFLUENCE_SITE (e.g. acme.atlassian.net), or use the default api.atlassian.com form.',
      });
    }
    return `${siteOrigin(options.site)}/gateway/api/svc/confluence/apps/${app}`;
  }
  return `https://api.atlassian.com/svc/confluence/${encodeURIComponent(requireCloudId(options.cloudId))}/apps/${app}`;
}

/** The Confluence REST base, the part before `/wiki/...`, without a trailing slash. */
export function restBaseUrl(options: { cloudId?: string; apiUrl?: string }): string {
  if (options.apiUrl?.trim()) return checkedBase(options.apiUrl, 'CONFLUENCE_API_URL');
  return `https://api.atlassian.com/ex/confluence/${encodeURIComponent(requireCloudId(options.cloudId))}`;
}

/**
 * `https://{site}` for a bare host name; a value that already has a scheme keeps it (tests and
 * stand-ins use `http://127.0.0.1:PORT`). A pasted page URL is cut down to its origin.
 */
export function siteOrigin(site: string): string {
  const value = site.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`CONFLUENCE_SITE is "${site}", which is not a host name.`, { hint: 'Set CONFLUENCE_SITE to your Atlassian site, e.g. acme.atlassian.net.' });
  }
  if (!value || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`CONFLUENCE_SITE is "${site}", which is not a host name.`, { hint: 'Set CONFLUENCE_SITE to your Atlassian site, e.g. acme.atlassian.net.' });
  }
  return url.origin;
}

/** Looks the cloud id up at `{site}/_edge/tenant_info`; a wrong site is a ConfigError saying so. */
export async function resolveCloudId(client: Pick<HttpClient, 'request'>, site: string): Promise<string> {
  const url = `${siteOrigin(site)}/_edge/tenant_info`;
  const wrongSite = (why: string, cause?: unknown, status?: number) =>
    new ConfigError(`Could not find the cloud id of CONFLUENCE_SITE "${site}": ${why}.`, {
      hint: 'Check CONFLUENCE_SITE: it is your Atlassian site host, e.g. acme.atlassian.net. Or set CONFLUENCE_CLOUD_ID to skip this look-up.',
      request: { method: 'GET', url, ...(status === undefined ? {} : { status }) },
      cause,
    });
  let response;
  try {
    response = await client.request({ method: 'GET', url, kind: 'rest', acceptStatus: [301, 302, 303, 307, 308, 400, 401, 403, 404, 410] });
  } catch (error) {
    // A host that does not resolve is a typo, not an outage.
    if (error instanceof NetworkError && /ENOTFOUND|EAI_NONAME/.test(String((error.cause as { code?: unknown } | undefined)?.code ?? error.message))) {
      throw wrongSite('the host name does not resolve', error);
    }
    throw error;
  }
  if (response.status >= 300) throw wrongSite(`the site answered ${response.status}`, undefined, response.status);
  let body: unknown;
  try {
    body = response.json<unknown>();
  } catch (error) {
    if (error instanceof ConfluenceLoaderError) throw wrongSite('the answer is not JSON, so this is probably not an Atlassian site', error, response.status);
    throw error;
  }
  const answer = tenantInfoSchema.safeParse(body);
  if (!answer.success) throw wrongSite('the answer has no cloudId', undefined, response.status);
  return answer.data.cloudId;
}

function requireCloudId(cloudId: string | undefined): string {
  if (cloudId?.trim()) return cloudId.trim();
  throw new ConfigError('The cloud id is unknown, so the API URLs cannot be built.', {
    hint: 'Set CONFLUENCE_SITE (the cloud id is then looked up) or CONFLUENCE_CLOUD_ID.',
  });
}

function checkedBase(value: string, variable: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  try {
    const url = new URL(trimmed);
    if (url.protocol === 'https:' || url.protocol === 'http:') return trimmed;
  } catch {
    // Reported below.
  }
  throw new ConfigError(`${variable} is "${value}", which is not an http(s) URL.`, { hint: `Set ${variable} to an absolute URL such as https://proxy.example.com/confluence, or unset it.` });
}
