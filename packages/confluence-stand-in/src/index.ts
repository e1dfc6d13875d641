/**
 * confluence-stand-in: a local, real-HTTP stand-in for the Markdown Exporter for Confluence app
 * API and the Confluence REST subset the loader uses (contract.md §3).
 */
export { start } from './server.ts';
export { loaderEnv } from './loader-env.ts';
export type { StartOptions, StandIn, LogEntry, LogKind, Counters, Latency, Interceptor, InterceptedRequest } from './server.ts';
export {
  APP_ID,
  ENV_IDS,
  DEFAULT_CLOUD_ID,
  DEFAULT_OAUTH,
  LIMITS,
  EXPORT_SCOPES,
  REST_SCOPES,
  ALL_REST_SCOPES,
  OFFLINE_ACCESS,
  CAUSES,
} from './constants.ts';
export type { EnvName } from './constants.ts';
export { Space, hasRestriction } from './space.ts';
export type { SpaceSpec, PageSpec, Page, AttachmentSpec, Restriction, NewPage } from './space.ts';
export { generateSpace } from './generate.ts';
export type { GenerateOptions, SpaceShape } from './generate.ts';
export { demoSpace, readSpaceDir, spaceFromFiles, DEMO_DIR } from './demo.ts';
export { applySpec, watchSpaceDir } from './watch.ts';
export type { SpaceChanges } from './watch.ts';
export { createRng } from './rng.ts';
export { noisePng, solidPng } from './png.ts';
export { slugify, siblingSlugs } from './slug.ts';
export type { SlugCollision } from './slug.ts';
export { tinyLinkCode, pageIdFromTinyLinkCode } from './tiny-link.ts';
export { pageJson } from './rest-api.ts';
export { parseCql, CqlError } from './cql.ts';
export type { FaultOptions, PermanentFault, PermanentRule, RequestInfo, RequestKind } from './faults.ts';
export type { IssueTokenOptions, OAuthOptions } from './oauth.ts';
export type { ExportSettings } from './export-api.ts';
