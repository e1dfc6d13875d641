/**
 * The CONFLUENCE_* variables a real site build needs to publish a stand-in's space, set
 * explicitly so that the demo branch of astro.config.mjs stays off.
 */
import { loaderEnv, type StandIn } from 'confluence-stand-in';

export function standInEnv(standIn: Pick<StandIn, 'space' | 'site' | 'cloudId' | 'exportUrl' | 'apiUrl' | 'accessToken'>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...loaderEnv(standIn),
    CONFLUENCE_EXCLUDE_LABELS: 'internal',
    CONFLUENCE_EDIT_LINKS: 'false',
    ...extra,
  };
}
