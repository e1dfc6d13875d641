/**
 * astro-loader-confluence: publish a Confluence space as an Astro (Starlight) site through the
 * Markdown Exporter for Confluence app.
 */
export { confluenceLoader } from './loader.ts';
export type { ConfluenceLoaderOptions, ConfluenceEnvironment } from './config/options.ts';
export { confluenceSchema, confluenceDataSchema, type ConfluenceEntryData } from './schema.ts';
export { confluenceOptionsFromEnv, isConfluenceConfigured, ENV_VARIABLES } from './config/env-options.ts';
export {
  ConfluenceLoaderError,
  ConfigError,
  AuthError,
  ForbiddenError,
  NotFoundError,
  BadRequestError,
  ServerError,
  RateLimitError,
  TimeoutError,
  NetworkError,
  InvalidGrantError,
  RestScopeError,
  ArchiveError,
  PayloadTooLargeError,
  ExportTimeoutError,
  ResponseShapeError,
  UntrustedTreeError,
  PrivacyCheckError,
  UnmatchedExportError,
} from './errors.ts';
export { IncompleteSyncError } from './sync/sync.ts';
export { planExports, optimalCallCount } from './export/plan.ts';
export type { ConfluencePage, SpaceTree, ExportBatch } from './types.ts';
