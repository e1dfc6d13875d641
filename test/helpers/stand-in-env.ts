/**
 * The CONFLUENCE_* variables a real site build needs to publish a stand-in's space, set
 * explicitly so that the demo branch of astro.config.mjs stays off.
 */
import type { StandIn } from 'confluence-stand-in';

export function standInEnv(standIn: StandIn, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONFLUENCE_SPACE_KEY: standIn.space.key,
    CONFLUENCE_SITE: standIn.site,
    CONFLUENCE_CLOUD_ID: standIn.cloudId,
    CONFLUENCE_EXPORT_URL: standIn.exportUrl,
    CONFLUENCE_API_URL: standIn.apiUrl,
    CONFLUENCE_ACCESS_TOKEN: standIn.accessToken,
    CONFLUENCE_EXCLUDE_LABELS: 'internal',
    CONFLUENCE_EDIT_LINKS: 'false',
    ...extra,
  };
}
