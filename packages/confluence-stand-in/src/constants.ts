/**
 * Identifiers and limits the Markdown Exporter app documents (see design/seeds/). They are
 * exported so tests and the loader's own suites can build URLs without retyping UUIDs.
 */

export const APP_ID = '0def1d4f-1593-4dd0-99a3-a098b3959067';

export const ENV_IDS = {
  production: '796457c9-9c03-4382-b44f-d19571068ece',
  staging: '73c9d7be-47c5-479a-b08d-14fb79453df8',
  development: '08a10a13-932b-47bb-b760-0cc1e93d4a50',
} as const;

export type EnvName = keyof typeof ENV_IDS;

/** A fixed cloud id keeps URLs stable between runs; override with `start({ cloudId })`. */
export const DEFAULT_CLOUD_ID = 'a1b2c3d4-0000-4000-8000-5743616e6431';

/** The app's documented limits (the seed's "Limits" table). */
export const LIMITS = {
  defaultMaxPages: 50,
  maxPages: 100,
  maxAttachmentBytes: 300 * 1024,
  maxTotalAttachmentBytes: 2 * 1024 * 1024,
  maxResponseBytes: 5 * 1024 * 1024,
  functionTimeoutMs: 25_000,
} as const;

/** Scopes the app's REST API needs (getting-started step 2). Both must be granted. */
export const EXPORT_SCOPES = ['export:markdown:custom', 'read:forge-app:confluence'] as const;

/**
 * Granular Confluence scopes, one per REST endpoint family the loader calls. A token lacking
 * the one an endpoint needs gets 403, like Confluence Cloud answers "scope does not match".
 */
export const REST_SCOPES = {
  spaces: 'read:space:confluence',
  pages: 'read:page:confluence',
  labels: 'read:label:confluence',
  search: 'search:confluence',
  restrictions: 'read:content-details:confluence',
  folders: 'read:folder:confluence',
  attachments: 'read:attachment:confluence',
} as const;

export const ALL_REST_SCOPES: readonly string[] = Object.values(REST_SCOPES);

/** Asked for at /authorize to get a refresh token back, as Atlassian requires. */
export const OFFLINE_ACCESS = 'offline_access';

/** Default OAuth client of the stand-in; every value can be overridden with `start({ oauth })`. */
export const DEFAULT_OAUTH = {
  clientId: 'stand-in-client-id',
  clientSecret: 'stand-in-client-secret',
  refreshToken: 'stand-in-refresh-token-0',
  accessTokenTtlSec: 3600,
} as const;

/** The documented causes, used verbatim in error bodies so tests can match on them. */
export const CAUSES = {
  400: 'Missing spaceKey or pageId',
  401: 'Token missing, expired, or lacks the required scope',
  403: 'App REST APIs not enabled, or OAuth integration connected to the wrong environment',
  404: 'No pages found for the given space or page ID',
  500: 'Unexpected server error — check Forge logs with forge logs -e production',
} as const;
