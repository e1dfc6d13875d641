// Stage sources: options in → a page source (live API, committed snapshot, frozen versions) out.
/**
 * Where the pages come from, first match wins (contract.md §2):
 * a snapshot when one is named → the live API when credentials are present → the newest committed
 * snapshot when credentials are missing (a preview build of a fork's pull request), with a banner
 * on every page → a clear failure.
 */
import { resolve } from 'node:path';
import { exportBaseUrl, resolveCloudId, restBaseUrl } from '../remote/endpoints.ts';
import { ConfigError } from '../errors.ts';
import { createHttpClient } from '../remote/http-client.ts';
import { LOOKUPS_IN_FLIGHT } from './live-discovery.ts';
import { createLiveSource } from './live-source.ts';
import type { ResolvedOptions } from '../config/options.ts';
import type { PageSource } from '../sync/page-source.ts';
import { createRestClient } from '../remote/rest-client.ts';
import { createSnapshotSource, newestSnapshot, readManifest } from './snapshot.ts';
import { oauthRefresh, staticToken, type TokenProvider } from '../remote/token-provider.ts';

export interface SourceContext {
  logger: { info(message: string): void; warn(message: string): void };
  /** Project root: relative paths (snapshots, token store) are resolved against it. */
  root: string;
  /** Where attachments downloaded through REST are written until the sync caches them. */
  downloadDir: string;
}

export interface ResolvedSource extends PageSource {
  /** Shown on every page when the content is not live (fallback snapshot). */
  banner?: string;
  /** The site a snapshot was taken from: its absolute links must resolve as in the live build. */
  site?: string;
  close(): Promise<void>;
}

/**
 * What the raw cache is keyed by: what identifies the content (the Confluence cloud, or the site
 * when its cloud id is not given; the space or root page; the app environment) and the settings
 * that change what an export holds. A change starts afresh. The endpoints' addresses are not in
 * it: a proxy, or a stand-in on another port, serves the same content.
 */
export function sourceKey(options: ResolvedOptions): string {
  return JSON.stringify([
    options.cloudId ?? options.site ?? '',
    options.spaceKey ?? '',
    options.rootPageId ?? '',
    options.environment,
    options.includeAttachments,
    options.snapshot ?? '',
  ]);
}

export function hasCredentials(options: ResolvedOptions): boolean {
  return Boolean(options.accessToken || options.oauth);
}

export async function createPageSource(options: ResolvedOptions, context: SourceContext): Promise<ResolvedSource> {
  if (options.snapshot) {
    const dir = resolve(context.root, options.snapshot);
    const manifest = await readManifest(dir);
    return { ...createSnapshotSource(dir, manifest), site: manifest.source.site, close: async () => {} };
  }
  if (!hasCredentials(options)) {
    const dir = resolve(context.root, options.snapshotsDir ?? 'snapshots');
    const newest = await newestSnapshot(dir);
    if (!newest) {
      throw new ConfigError(
        `${options.spaceKey ? `CONFLUENCE_SPACE_KEY is ${options.spaceKey}` : `CONFLUENCE_ROOT_PAGE_ID is ${options.rootPageId}`}, but no credentials are set and there is no snapshot in ${dir} to fall back on.`,
        {
          hint: 'Set CONFLUENCE_ACCESS_TOKEN (or CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN). For builds without secrets (pull requests from forks), commit a snapshot: `confluence-export snapshot snapshots/<name>`.',
        },
      );
    }
    const manifest = await readManifest(newest);
    context.logger.warn(`No Confluence credentials: building from the newest snapshot, ${newest} (taken ${manifest.takenAt}).`);
    return {
      ...createSnapshotSource(newest, manifest),
      site: manifest.source.site,
      banner: `This preview was built from a snapshot taken ${manifest.takenAt.slice(0, 10)}, not from live Confluence content (no credentials were available to this build).`,
      close: async () => {},
    };
  }

  const http = createHttpClient({
    // Export calls stay at `concurrency` (live-source.ts runs that many workers); small REST
    // look-ups may use a few more slots.
    concurrency: Math.max(options.concurrency, LOOKUPS_IN_FLIGHT),
    requestTimeoutMs: options.requestTimeoutMs,
    deadlineMs: options.deadlineMs,
    retries: options.retries,
    baseDelayMs: options.retryBaseDelayMs,
    onRetry: (event) =>
      context.logger.info(`retrying ${event.method} ${event.url} in ${(event.delayMs / 1000).toFixed(1)}s (${event.reason}, attempt ${event.retry + 1})`),
  });
  const auth: TokenProvider = options.accessToken
    ? staticToken(options.accessToken)
    : oauthRefresh({
        ...options.oauth!,
        authUrl: options.authUrl,
        storePath: resolve(context.root, options.oauth!.storePath ?? '.confluence/oauth.json'),
        http,
      });
  let cloudId = options.cloudId;
  const needsCloudId = !options.exportUrl || !options.apiUrl;
  if (!cloudId && needsCloudId) {
    if (!options.site) {
      throw new ConfigError('Neither CONFLUENCE_CLOUD_ID nor CONFLUENCE_SITE is set, so the API address cannot be built.', {
        hint: 'Set CONFLUENCE_SITE to your site host (e.g. acme.atlassian.net); the cloud id is looked up from it.',
      });
    }
    cloudId = await resolveCloudId(http, options.site);
  }
  const exportUrl = exportBaseUrl({ cloudId, env: options.environment, site: options.site, exportUrl: options.exportUrl });
  const rest = createRestClient({ http, auth, apiUrl: restBaseUrl({ cloudId, apiUrl: options.apiUrl }) });
  const source = createLiveSource({
    http,
    auth,
    exportUrl,
    rest,
    options: { ...options, cloudId },
    warn: (message) => context.logger.warn(message),
    downloadDir: context.downloadDir,
  });
  return { ...source, close: () => http.close() };
}

