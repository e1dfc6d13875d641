/**
 * The CONFLUENCE_* variables that point the loader at a running stand-in, as the site, the CLI,
 * the tests and the benchmarks all need them: one list, so they cannot drift apart.
 */
import type { StandIn } from './server.ts';

export function loaderEnv(standIn: Pick<StandIn, 'space' | 'site' | 'cloudId' | 'exportUrl' | 'apiUrl' | 'accessToken'>): Record<string, string> {
  return {
    CONFLUENCE_SPACE_KEY: standIn.space.key,
    CONFLUENCE_SITE: standIn.site,
    CONFLUENCE_CLOUD_ID: standIn.cloudId,
    CONFLUENCE_EXPORT_URL: standIn.exportUrl,
    CONFLUENCE_API_URL: standIn.apiUrl,
    CONFLUENCE_ACCESS_TOKEN: standIn.accessToken,
  };
}
