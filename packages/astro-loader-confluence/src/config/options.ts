// Stage config: loader options and CONFLUENCE_* variables in → validated options, every default filled, out.
/**
 * The loader's options. Every option is documented here and in the README; `resolveOptions`
 * validates them once, at startup, with an error that names the option and the fix.
 */
import { ConfigError } from '../errors.ts';
import { registerUrlSecrets } from '../redact.ts';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../export/archive.ts';

/** One frozen version of the docs, as the loader's `versions` option takes it. */
export interface VersionOption {
  /** The URL segment: the version is served under `/<slug>/`, e.g. `v1` or `1.2`. */
  slug: string;
  /** Shown in the version switcher and in search results. Default: the slug. */
  label?: string;
  /** The snapshot folder (`confluence-export snapshot <dir>`), relative to the project root. */
  snapshot: string;
}

export type ConfluenceEnvironment = 'production' | 'staging' | 'development';

export interface ConfluenceLoaderOptions {
  /** Space to publish, e.g. `DOCS`. This or `rootPageId`. */
  spaceKey?: string;
  /** Publish this page and its descendants instead of a whole space. */
  rootPageId?: string;
  /** The Confluence site host, e.g. `acme.atlassian.net` (or a full origin such as `http://127.0.0.1:4010` for a stand-in). */
  site?: string;
  /** The cloud id; skips the `https://{site}/_edge/tenant_info` look-up. */
  cloudId?: string;
  /** The app environment the OAuth integration is connected to. Default `production`. */
  environment?: ConfluenceEnvironment;
  /** A bearer token, used as is. */
  accessToken?: string;
  /** OAuth 2.0 refresh flow: the loader obtains and renews access tokens itself. */
  oauth?: {
    clientId: string;
    clientSecret: string;
    refreshToken: string;
    /** Where the rotated refresh token is kept (0600, git-ignored). Default `.confluence/oauth.json`. */
    storePath?: string;
  };
  /** Override of the app API base: the part before `/bulkExport`. */
  exportUrl?: string;
  /** Override of the Confluence REST base: the part before `/wiki/...`. */
  apiUrl?: string;
  /** Override of the OAuth token endpoint. */
  authUrl?: string;
  /** Pages carrying any of these labels, and their descendants, are never published. */
  excludeLabels?: string[];
  /** Look up read restrictions and leave restricted pages (and their descendants) out. Default `true`. */
  checkRestrictions?: boolean;
  /** Links to pages that are not published: keep the text only (`'text'`, default) or link into Confluence. */
  unpublishedLinks?: 'text' | 'confluence';
  /**
   * Images and file links whose file the site cannot have (left out of the export and not
   * recoverable: no attachment scope, deleted, over `maxDownloadBytes`, or withheld by
   * `publishActiveAttachments`): a styled placeholder naming the file (`'placeholder'`, default),
   * or a link to the file in Confluence (`'confluence'`), for sites whose readers can log in there.
   * A file of a page that is not published is never named either way.
   */
  missingFiles?: 'placeholder' | 'confluence';
  /**
   * Macros the exporter could not convert (an image of Confluence's `unknown-macro` placeholder):
   * a short note saying the content is in Confluence (`'note'`, default) or nothing (`'remove'`).
   * The build log lists them by page id either way.
   */
  unknownMacros?: 'note' | 'remove';
  /**
   * Whether each entry keeps its Markdown in Astro's data store as `body`: `'keep'`, `'omit'`, or a
   * number: keep it for a collection of at most that many entries, omit it above (default
   * `ENTRY_BODY_MAX_PAGES`). Starlight renders from `rendered` and never reads `body`; plugins that
   * do (llms.txt generators, for one) need `'keep'`. The page HTML is the same either way.
   */
  entryBody?: EntryBodyOption;
  /**
   * Where each entry's rendered HTML is kept: `'store'`, in Astro's data store as `rendered.html`,
   * as any loader keeps it; `'file'`, in a file of the build cache (sync/html-files.ts) that
   * `starlightConfluence()` renders in its place; or a number: the store for a collection of at
   * most that many entries, files above (default `ENTRY_HTML_MAX_PAGES`). The built pages are the
   * same either way. Files need prerendered pages (Starlight's default) and `starlightConfluence()`;
   * code that calls `render(entry)` itself gets the HTML only from the store.
   */
  entryHtml?: EntryHtmlOption;
  /** Fail the build when a page links to an unpublished page. Default `false` (listed in a report). */
  failOnUnresolvedLinks?: boolean;
  /** Export calls in flight at once. Default 4. */
  concurrency?: number;
  /** Export attachments (images, PDFs…) with the pages. Default `true`. */
  includeAttachments?: boolean;
  /**
   * Largest attachment downloaded through Confluence REST when the export leaves it out (the app
   * drops files over 300 KB). Larger files are shown as a placeholder. Default 100 MB.
   */
  maxDownloadBytes?: number;
  /**
   * Publish attachments that a browser opens as a live document (`.html`, `.htm`, `.xhtml`, `.xml`,
   * `.js`, …) as they are, where their scripts run on the site's origin. Default `false`: they are
   * left out with a warning naming the page and the file, and shown as `missingFiles` says.
   */
  publishActiveAttachments?: boolean;
  /** Build from this snapshot directory instead of the live API (offline). */
  snapshot?: string;
  /** Tee every raw export into this directory, as a snapshot that can be built later. */
  writeSnapshot?: string;
  /** When nothing is configured but credentials are missing, build from the newest snapshot here. */
  snapshotsDir?: string;
  /** Limits for each export archive (zip bomb protection). */
  archiveLimits?: Partial<ArchiveLimits>;
  /** Per-request timeout in ms; a little above the app's 25 s limit by default. */
  requestTimeoutMs?: number;
  /** Deadline for the whole sync in ms. Default 30 minutes. */
  deadlineMs?: number;
  /** Retries for transient failures (429, 5xx, timeouts, dropped connections). Default 5. */
  retries?: number;
  /**
   * Backoff base in ms: retry n waits a random time below `retryBaseDelayMs × 2ⁿ⁻¹` (capped at 30 s),
   * unless the server sent `Retry-After`. Default 500. Lower it only for tests against a stand-in.
   */
  retryBaseDelayMs?: number;
  /** Show "Edit page" links into Confluence. Default `true` (needs `site`). */
  editLinks?: boolean;
  /** Collection path under the content folder the virtual files are placed in. Default `docs` (Starlight). */
  contentDir?: string;
  /** Frozen versions of the docs, each built from a snapshot and served under `/<slug>/` (see versions.ts). */
  versions?: VersionOption[];
  /** Every sub-folder of this directory holding a snapshot is a version named by the folder (`CONFLUENCE_VERSIONS_DIR`). */
  versionsDir?: string;
  /**
   * In `astro dev`, sync again this many ms after the last sync ended, so edits in Confluence show
   * up by themselves; 0 turns it off. Default 3 s against a stand-in on this machine, 60 s otherwise.
   */
  devRefreshMs?: number;
  /**
   * Write a JSON report of each sync here (relative to the project root): pages published, left
   * out by reason and id, unresolved links, missing attachments, calls made. On GitHub Actions a
   * short summary also goes to $GITHUB_STEP_SUMMARY, with or without this option.
   */
  report?: string;
}

type Defaulted =
  | 'environment' | 'excludeLabels' | 'checkRestrictions' | 'unpublishedLinks' | 'failOnUnresolvedLinks'
  | 'concurrency' | 'includeAttachments' | 'publishActiveAttachments' | 'editLinks' | 'requestTimeoutMs' | 'deadlineMs' | 'retries' | 'retryBaseDelayMs'
  | 'contentDir' | 'maxDownloadBytes' | 'missingFiles' | 'unknownMacros' | 'entryBody' | 'entryHtml';

export type EntryBodyOption = 'keep' | 'omit' | number;
export type EntryHtmlOption = 'store' | 'file' | number;

/**
 * The default of `entryBody`: bodies are kept up to 2,000 entries. Astro bundles its whole data
 * store into the build as one module, and at 8,000 pages the bodies were 25 MB of its 115 MB and
 * about 0.9 GB of the build's 3.9 GB peak memory (bench/README.md); at 2,000 pages they cost
 * about a quarter of that, which any CI runner has.
 */
export const ENTRY_BODY_MAX_PAGES = 2_000;

/**
 * The default of `entryHtml`: HTML stays in the data store up to 2,000 entries. Above, the store
 * Astro serialises after every sync (even one that changed nothing) and bundles into the build is
 * mostly HTML: at 8,000 pages 72 MB of its 90 MB (bench/README.md). Up to 2,000 pages that costs
 * under a second, and the store keeps what other code reading `rendered` expects.
 */
export const ENTRY_HTML_MAX_PAGES = 2_000;

/** Whether a collection of `entries` entries keeps their bodies under `option`. */
export function keepsBody(option: EntryBodyOption, entries: number): boolean {
  return inStore(option, 'keep', entries);
}

/** Whether a collection of `entries` entries keeps its HTML in the data store under `option`. */
export function storesHtml(option: EntryHtmlOption, entries: number): boolean {
  return inStore(option, 'store', entries);
}

function inStore(option: string | number, always: string, entries: number): boolean {
  return option === always || (typeof option === 'number' && entries <= option);
}

/** Options after validation, with every default filled in. */
export type ResolvedOptions = Omit<ConfluenceLoaderOptions, Defaulted | 'archiveLimits'> &
  Required<Pick<ConfluenceLoaderOptions, Defaulted>> & { archiveLimits: ArchiveLimits };

const ENVIRONMENTS = ['production', 'staging', 'development'] as const;

/** Proxy variables the HTTP client reads (remote/http-client.ts): their userinfo is a secret too. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

export function resolveOptions(input: ConfluenceLoaderOptions): ResolvedOptions {
  // Before anything can fail: a URL in an error message must already lose its password.
  for (const url of [input.exportUrl, input.apiUrl, input.authUrl, input.site, ...PROXY_VARIABLES.map((name) => process.env[name])]) registerUrlSecrets(url);
  const fail = (message: string, hint: string): never => {
    throw new ConfigError(message, { hint });
  };
  if (!input.snapshot && !input.spaceKey && !input.rootPageId) {
    fail('Nothing to publish: neither spaceKey nor rootPageId is set.',
      'Set CONFLUENCE_SPACE_KEY (or the spaceKey option) to publish a space, or CONFLUENCE_ROOT_PAGE_ID for one page tree.');
  }
  if (input.rootPageId !== undefined && !/^\d+$/.test(input.rootPageId)) {
    fail(`rootPageId "${input.rootPageId}" is not a Confluence page id.`,
      'Use the number in the page URL: /wiki/spaces/KEY/pages/<id>/Title.');
  }
  if (input.spaceKey !== undefined && !/^~?[A-Za-z0-9_-]+$/.test(input.spaceKey)) {
    fail(`spaceKey "${input.spaceKey}" is not a space key.`, 'Use the key from the space URL: /wiki/spaces/<KEY>/overview.');
  }
  const environment = input.environment ?? 'production';
  if (!ENVIRONMENTS.includes(environment)) {
    fail(`environment "${environment}" is unknown.`, `Use one of ${ENVIRONMENTS.join(', ')} (CONFLUENCE_ENV).`);
  }
  const concurrency = input.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    fail(`concurrency ${concurrency} is out of range.`, 'Use a whole number from 1 to 32; 4 suits most sites.');
  }
  if (input.oauth) {
    for (const key of ['clientId', 'clientSecret', 'refreshToken'] as const) {
      if (!input.oauth[key]) {
        fail(`oauth.${key} is empty.`, 'Set CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN together, or use CONFLUENCE_ACCESS_TOKEN.');
      }
    }
  }
  for (const [key, value] of [['exportUrl', input.exportUrl], ['apiUrl', input.apiUrl], ['authUrl', input.authUrl]] as const) {
    if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value)) {
      fail(`${key} "${value}" is not an http(s) URL.`, 'Give the full base URL, e.g. https://api.atlassian.com/...');
    }
  }
  if (input.maxDownloadBytes !== undefined && !(Number.isInteger(input.maxDownloadBytes) && input.maxDownloadBytes >= 0)) {
    fail(`maxDownloadBytes ${input.maxDownloadBytes} is not a whole number of bytes.`, 'Use 0 to download no attachment, or leave it unset for 100 MB.');
  }
  for (const [key, value, min] of [['retries', input.retries, 0], ['retryBaseDelayMs', input.retryBaseDelayMs, 0]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
      fail(`${key} ${value} is not a whole number of at least ${min}.`, key === 'retries' ? 'Use 0 to never retry, or the default 5.' : 'Leave it unset (500 ms) unless tests need faster retries.');
    }
  }
  // A label Confluence cannot store matches no page, so it would silently exclude nothing.
  for (const label of input.excludeLabels ?? []) {
    if (/[\s!#&()*,.:;<>?@[\]^]/.test(label.trim())) {
      fail(`The excluded label "${label.trim()}" (excludeLabels, CONFLUENCE_EXCLUDE_LABELS) cannot be a Confluence label (labels have no spaces and none of ! # & ( ) * , . : ; < > ? @ [ ] ^), so it would keep no page out.`,
        'List labels separated by commas, e.g. CONFLUENCE_EXCLUDE_LABELS=internal,draft.');
    }
  }
  if (input.devRefreshMs !== undefined && !(Number.isInteger(input.devRefreshMs) && (input.devRefreshMs === 0 || input.devRefreshMs >= 500))) {
    fail(`devRefreshMs ${input.devRefreshMs} is not 0 or a whole number of at least 500.`, 'Use 0 to sync only when astro dev starts, or leave it unset for the default.');
  }
  if (input.unpublishedLinks !== undefined && !['text', 'confluence'].includes(input.unpublishedLinks)) {
    fail(`unpublishedLinks "${input.unpublishedLinks}" is unknown.`, "Use 'text' (keep the words, drop the link) or 'confluence'.");
  }
  if (input.missingFiles !== undefined && !['placeholder', 'confluence'].includes(input.missingFiles)) {
    fail(`missingFiles "${input.missingFiles}" is unknown.`, "Use 'placeholder' (a note naming the file) or 'confluence' (a link to the file in Confluence, for readers who can log in).");
  }
  if (input.unknownMacros !== undefined && !['note', 'remove'].includes(input.unknownMacros)) {
    fail(`unknownMacros "${input.unknownMacros}" is unknown.`, "Use 'note' (say the content is in Confluence) or 'remove' (show nothing).");
  }
  const entryBody = input.entryBody ?? ENTRY_BODY_MAX_PAGES;
  if (!(entryBody === 'keep' || entryBody === 'omit' || (typeof entryBody === 'number' && Number.isInteger(entryBody) && entryBody >= 0))) {
    fail(`entryBody ${JSON.stringify(input.entryBody)} is not 'keep', 'omit' or a whole number of pages.`, "Use 'keep' for plugins that read entry.body, 'omit' to save build memory, or leave it unset for the default.");
  }
  const entryHtml = input.entryHtml ?? ENTRY_HTML_MAX_PAGES;
  if (!(entryHtml === 'store' || entryHtml === 'file' || (typeof entryHtml === 'number' && Number.isInteger(entryHtml) && entryHtml >= 0))) {
    fail(`entryHtml ${JSON.stringify(input.entryHtml)} is not 'store', 'file' or a whole number of pages.`, "Use 'store' for code that renders entries itself or on-demand pages, 'file' to keep the data store small, or leave it unset for the default.");
  }
  return {
    ...input,
    entryBody,
    entryHtml,
    environment,
    excludeLabels: (input.excludeLabels ?? []).map((l) => l.trim()).filter(Boolean),
    checkRestrictions: input.checkRestrictions ?? true,
    unpublishedLinks: input.unpublishedLinks ?? 'text',
    missingFiles: input.missingFiles ?? 'placeholder',
    unknownMacros: input.unknownMacros ?? 'note',
    failOnUnresolvedLinks: input.failOnUnresolvedLinks ?? false,
    concurrency,
    includeAttachments: input.includeAttachments ?? true,
    publishActiveAttachments: input.publishActiveAttachments ?? false,
    editLinks: input.editLinks ?? true,
    requestTimeoutMs: input.requestTimeoutMs ?? 30_000,
    deadlineMs: input.deadlineMs ?? 30 * 60_000,
    retries: input.retries ?? 5,
    retryBaseDelayMs: input.retryBaseDelayMs ?? 500,
    contentDir: input.contentDir ?? 'docs',
    maxDownloadBytes: input.maxDownloadBytes ?? 100 * 1024 * 1024,
    archiveLimits: resolveArchiveLimits(input.archiveLimits, fail),
  };
}

/** Limits given as `undefined` keep their default: a missing number must never switch a limit off. */
function resolveArchiveLimits(input: Partial<ArchiveLimits> | undefined, fail: (message: string, hint: string) => never): ArchiveLimits {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS };
  for (const key of Object.keys(DEFAULT_ARCHIVE_LIMITS) as (keyof ArchiveLimits)[]) {
    const value = input?.[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      fail(`archiveLimits.${key} is ${value}.`, 'Use a whole number above zero, or leave it out for the default.');
    }
    limits[key] = value;
  }
  return limits;
}
