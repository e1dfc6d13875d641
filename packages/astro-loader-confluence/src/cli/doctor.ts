/**
 * `confluence-export doctor`: checks, in the order a build needs them, what is configured, the
 * cloud id, the token, the app API and each Confluence REST scope, and says for every failure
 * what to fix. Each check goes through the same clients a build uses, so a green doctor means the
 * build's requests work. Essential failures (the build cannot work) give exit code 1: without the
 * REST scopes for the tree and the restrictions a build publishes nothing. The optional scopes
 * (bulk search, attachments) are warnings.
 */
import { resolve } from 'node:path';
import { confluenceOptionsFromEnv, ENV_VARIABLES, type Env } from '../config/env-options.ts';
import { exportBaseUrl, resolveCloudId, restBaseUrl } from '../remote/endpoints.ts';
import { ConfluenceLoaderError, ForbiddenError, formatError, NotFoundError, RestScopeError } from '../errors.ts';
import { bulkExport } from '../remote/export-client.ts';
import { createHttpClient, type HttpClient } from '../remote/http-client.ts';
import { resolveOptions, type ResolvedOptions } from '../config/options.ts';
import { createRestClient, type RestClient } from '../remote/rest-client.ts';
import { DEFAULT_STORE_PATH, oauthRefresh, staticToken, type TokenProvider } from '../remote/token-provider.ts';
import { VERSION } from '../version.ts';
import { EXIT, parse, sharedFlagHelp } from './args.ts';
import { envFor } from './config.ts';
import { SECRET_VARIABLES } from './env-file.ts';
import type { Reporter } from './reporter.ts';

export const DOCTOR_HELP = `Usage: confluence-export doctor [options]

Checks the configuration (which CONFLUENCE_* variables are set and which are missing), the cloud
id, the token, the Markdown Exporter app API and each Confluence REST scope, and says exactly what
to fix for each failure. Secrets are never printed. Exit code 1 when something the build needs
fails (without the tree and restriction scopes a build publishes nothing); the optional scopes
(content search, attachments, folders) are warnings. The doctor exports only a page it has
checked to be public.

Options:
${sharedFlagHelp()}
  --json                    print the configuration and every check as one JSON document
  -h, --help                show this help

Example:
  confluence-export doctor --env-file .env.confluence --space DOCS --site acme.atlassian.net`;

type Status = 'ok' | 'fail' | 'warn' | 'skip';

interface Check {
  label: string;
  status: Status;
  detail: string;
  fix?: string;
  /** A failure here means a build cannot work. */
  essential: boolean;
}

const MARK: Record<Status, string> = { ok: '✓', fail: '✗', warn: '!', skip: '-' };


/** The REST calls a build makes, the scope each needs, what it gives the site, and what a build does without it. */
const REST_PROBES = [
  { key: 'space', label: 'REST space lookup', scope: 'read:space:confluence', unlocks: 'finding the space by its key: the first REST call, which decides whether the build can check anything' },
  { key: 'pages', label: 'REST pages list', scope: 'read:page:confluence', unlocks: 'the page tree: sibling order, spaces of any size, incremental sync by version' },
  { key: 'restrictions', label: 'REST restrictions', scope: 'read:content-details:confluence', unlocks: 'checking read restrictions, without which nothing is published' },
  { key: 'search', label: 'REST content search', scope: 'search:confluence', unlocks: 'checking restrictions and labels in bulk (about one call per 100 pages instead of one per page)' },
  { key: 'labels', label: 'REST labels', scope: 'read:label:confluence', unlocks: 'CONFLUENCE_EXCLUDE_LABELS for pages the search has not indexed yet' },
  { key: 'folders', label: 'REST folders', scope: 'read:folder:confluence', unlocks: 'pages that sit in Confluence folders (a space with folders does not build without it)' },
  { key: 'attachments', label: 'REST attachments', scope: 'read:attachment:confluence', unlocks: 'files the export leaves out (over 300 KB, or past 2 MB in one export), downloaded instead of shown as placeholders' },
] as const;

/** Which REST probes the build depends on: without any of these it publishes nothing (unless checkRestrictions: false). */
const NEEDED_BY_BUILD = new Set(['space', 'pages', 'restrictions']);

export async function doctorCommand(args: string[], reporter: Reporter, baseEnv: Env = process.env): Promise<number> {
  const { values } = parse('doctor', args, { json: { type: 'boolean' } }, { confluence: true });
  if (values.help) {
    reporter.out(DOCTOR_HELP);
    return EXIT.ok;
  }
  const env = await envFor(values, baseEnv);
  reporter.out(`confluence-export doctor (astro-loader-confluence ${VERSION})`);
  reporter.out('');
  reporter.out('Configuration');
  const variables = variableStates(env);
  for (const line of describeVariables(variables)) reporter.out(`  ${line}`);
  reporter.out('');
  reporter.out('Checks');
  const checks: Check[] = [];
  const report = (check: Check) => {
    checks.push(check);
    reporter.out(`  ${MARK[check.status]} ${check.label}: ${check.detail}`);
    if (check.fix && check.status !== 'ok') reporter.out(`      Fix: ${check.fix}`);
  };
  await runChecks(env, report);
  const failed = checks.filter((c) => c.status === 'fail' && c.essential);
  const warned = checks.filter((c) => c.status === 'warn' || (c.status === 'fail' && !c.essential));
  reporter.out('');
  if (failed.length > 0) {
    reporter.out(`${failed.length} problem(s) stop a build: ${failed.map((c) => c.label).join(', ')}. Fix them as shown above and run doctor again.`);
  } else {
    reporter.out(warned.length > 0
      ? `A build will work, with ${warned.length} limitation(s): ${warned.map((c) => c.label).join(', ')}.`
      : 'Everything a build needs works.');
  }
  reporter.result({
    command: 'doctor',
    version: VERSION,
    ok: failed.length === 0,
    variables,
    checks: checks.map(({ label, status, detail, fix, essential }) => ({ label, status, essential, detail, ...(fix && status !== 'ok' ? { fix } : {}) })),
    problems: failed.map((c) => c.label),
    limitations: warned.map((c) => c.label),
  });
  return failed.length > 0 ? EXIT.failure : EXIT.ok;
}

/** One variable as doctor reports it: a secret's value is never given, only its length. */
export interface VariableState {
  name: string;
  set: boolean;
  secret: boolean;
  /** The value, for a variable that is set and not a secret. */
  value?: string;
  /** For a secret that is set. */
  length?: number;
}

export function variableStates(env: Env): VariableState[] {
  const secret = new Set<string>(SECRET_VARIABLES);
  return ENV_VARIABLES.map((name) => {
    const value = env[name]?.trim();
    const isSecret = secret.has(name);
    if (!value) return { name, set: false, secret: isSecret };
    return isSecret ? { name, set: true, secret: true, length: value.length } : { name, set: true, secret: false, value };
  });
}

/** One line per variable: its value, "set" for secrets, or "not set". */
export function describeVariables(variables: VariableState[]): string[] {
  const width = Math.max(...variables.map((v) => v.name.length));
  return variables.map((v) => {
    const shown = !v.set ? 'not set' : v.secret ? `set (${v.length} characters, hidden)` : v.value;
    return `${v.name.padEnd(width)}  ${shown}`;
  });
}

async function runChecks(env: Env, report: (check: Check) => void): Promise<void> {
  // 1. Configuration: what to publish, and with which credentials.
  let options: ResolvedOptions;
  try {
    const fromEnv = confluenceOptionsFromEnv(env);
    if (!fromEnv) {
      report({ label: 'what to publish', status: 'fail', essential: true, detail: 'neither CONFLUENCE_SPACE_KEY nor CONFLUENCE_ROOT_PAGE_ID is set',
        fix: 'Set CONFLUENCE_SPACE_KEY (the key in the space URL, /wiki/spaces/<KEY>/) or pass --space KEY; or CONFLUENCE_ROOT_PAGE_ID / --root-page for one page tree.' });
      return;
    }
    options = resolveOptions(fromEnv);
  } catch (error) {
    report({ label: 'configuration', status: 'fail', essential: true, ...failure(error) });
    return;
  }
  if (options.snapshot) {
    report({ label: 'what to publish', status: 'ok', essential: true, detail: `the snapshot ${options.snapshot} (CONFLUENCE_SNAPSHOT): a build needs no network; the checks below are about the live API` });
  } else {
    report({ label: 'what to publish', status: 'ok', essential: true, detail: options.rootPageId ? `page ${options.rootPageId} and its descendants` : `space ${options.spaceKey}` });
  }
  if (!options.accessToken && !options.oauth) {
    report({ label: 'credentials', status: 'fail', essential: true, detail: 'no token: neither CONFLUENCE_ACCESS_TOKEN nor the OAuth variables are set',
      fix: 'Run `confluence-export auth` (it writes CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN to .env.confluence), then run doctor with --env-file .env.confluence.' });
    return;
  }
  report({ label: 'credentials', status: 'ok', essential: true,
    detail: options.accessToken ? 'CONFLUENCE_ACCESS_TOKEN (used as is; access tokens expire after an hour)' : 'OAuth refresh flow (CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET, CONFLUENCE_REFRESH_TOKEN)' });

  const http = createHttpClient({ retries: 1, requestTimeoutMs: 20_000, deadlineMs: 120_000 });
  try {
    await remoteChecks(options, http, report);
  } finally {
    await http.close();
  }
}

async function remoteChecks(options: ResolvedOptions, http: HttpClient, report: (check: Check) => void): Promise<void> {
  // 2. Cloud id.
  let cloudId = options.cloudId;
  if (cloudId) {
    report({ label: 'cloud id', status: 'ok', essential: true, detail: `${cloudId} (CONFLUENCE_CLOUD_ID)` });
  } else if (options.exportUrl && options.apiUrl) {
    report({ label: 'cloud id', status: 'skip', essential: false, detail: 'not needed: CONFLUENCE_EXPORT_URL and CONFLUENCE_API_URL are both set' });
  } else if (!options.site) {
    report({ label: 'cloud id', status: 'fail', essential: true, detail: 'unknown: neither CONFLUENCE_CLOUD_ID nor CONFLUENCE_SITE is set',
      fix: 'Set CONFLUENCE_SITE to your site host (e.g. acme.atlassian.net) or pass --site; the cloud id is looked up from it.' });
    return;
  } else {
    try {
      cloudId = await resolveCloudId(http, options.site);
      report({ label: 'cloud id', status: 'ok', essential: true, detail: `${cloudId} (from ${options.site}/_edge/tenant_info)` });
    } catch (error) {
      report({ label: 'cloud id', status: 'fail', essential: true, ...failure(error) });
      return;
    }
  }

  let exportUrl: string;
  let apiUrl: string;
  try {
    exportUrl = exportBaseUrl({ cloudId, env: options.environment, site: options.site, exportUrl: options.exportUrl });
    apiUrl = restBaseUrl({ cloudId, apiUrl: options.apiUrl });
  } catch (error) {
    report({ label: 'API addresses', status: 'fail', essential: true, ...failure(error) });
    return;
  }

  // 3. Token. A refresh proves the OAuth client and refresh token; a bearer token is proven by the calls below.
  let auth: TokenProvider;
  if (options.accessToken) {
    auth = staticToken(options.accessToken);
  } else {
    const storePath = resolve(options.oauth!.storePath ?? DEFAULT_STORE_PATH);
    auth = oauthRefresh({ ...options.oauth!, authUrl: options.authUrl, storePath, http });
    try {
      await auth.getToken();
      report({ label: 'OAuth refresh', status: 'ok', essential: true, detail: `the token endpoint issued an access token; the rotated refresh token is kept in ${storePath}` });
    } catch (error) {
      report({ label: 'OAuth refresh', status: 'fail', essential: true, ...failure(error) });
      return;
    }
  }

  // 4. The app API, with the smallest export there is.
  const rest = createRestClient({ http, auth, apiUrl });
  const { outcomes: probes, publicPageId } = await probeRest(rest, http, auth, apiUrl, options);
  const restTokenRefused = [...probes.values()].some((outcome) => outcome instanceof RestScopeError && outcome.status === 401);
  let tokenWorks = [...probes.values()].some((outcome) => outcome === true);
  try {
    // Only a page REST showed to be public is exported: the doctor never fetches what the build
    // would have to leave out.
    if (!publicPageId) throw new NoPublicPage();
    const answer = await bulkExport(http, auth, exportUrl, { pageId: publicPageId, bulkExport: false, maxPages: 1, includeAttachments: false });
    tokenWorks = true;
    report({ label: 'token', status: 'ok', essential: true, detail: 'accepted by the app API' });
    report({ label: 'app API', status: 'ok', essential: true, detail: `an export of 1 page worked (export id ${answer.exportId}) at ${exportUrl}` });
  } catch (error) {
    if (error instanceof NoPublicPage && restTokenRefused && !tokenWorks) {
      report({
        label: 'token',
        status: 'fail',
        essential: true,
        detail: 'refused by Confluence REST (401): it is invalid or expired',
        fix: options.accessToken
          ? 'CONFLUENCE_ACCESS_TOKEN expires an hour after it was issued: use the OAuth refresh flow instead (`confluence-export auth` writes the variables), or paste a fresh token.'
          : 'Run `confluence-export auth` again and use the new CONFLUENCE_REFRESH_TOKEN.',
      });
      report({ label: 'app API', status: 'skip', essential: false, detail: 'not checked: the token was refused' });
      for (const check of restSkipped('the token was refused')) report(check);
      return;
    }
    if (error instanceof NoPublicPage) {
      report({ label: 'token', status: tokenWorks ? 'ok' : 'skip', essential: true, detail: tokenWorks ? 'accepted by Confluence REST' : 'not proven' });
      report({ label: 'app API', status: 'skip', essential: false, detail: 'not checked: no page is known to be public yet (the doctor exports only a top-level page REST shows unrestricted), so the app API is tried by the first build' });
      reportRest(probes, options, report);
      return;
    }
    const status = error instanceof ConfluenceLoaderError ? error.status : undefined;
    if (status === 401) {
      report({
        label: 'token',
        status: 'fail',
        essential: true,
        detail: tokenWorks
          ? 'Confluence REST accepts it, but the app API refused it (401): it lacks the app scopes export:markdown:custom and read:forge-app:confluence'
          : `refused by the app API (401)${restTokenRefused ? ' and by Confluence REST (401)' : ''}: it is invalid or expired`,
        fix: tokenWorks
          ? 'In developer.atlassian.com/console → your integration → Permissions, add Markdown Exporter for Confluence with the scope export:markdown:custom, and the Confluence scope read:forge-app:confluence; then run `confluence-export auth` again.'
          : options.accessToken
            ? 'CONFLUENCE_ACCESS_TOKEN expires an hour after it was issued: use the OAuth refresh flow instead (`confluence-export auth` writes the variables), or paste a fresh token.'
            : 'Run `confluence-export auth` again and use the new CONFLUENCE_REFRESH_TOKEN.',
      });
      report({ label: 'app API', status: 'skip', essential: false, detail: 'not checked: the token was refused' });
      for (const check of restSkipped('the token was refused')) report(check);
      return;
    }
    const accepted = tokenWorks || error instanceof ForbiddenError || error instanceof NotFoundError;
    report({ label: 'token', status: accepted ? 'ok' : 'skip', essential: true, detail: accepted ? 'accepted' : 'not proven: the app API did not answer' });
    if (error instanceof ForbiddenError) {
      report({ label: 'app API', status: 'fail', essential: true, detail: `refused (403): App REST APIs are not enabled on the site, or the OAuth integration is connected to another app environment than CONFLUENCE_ENV=${options.environment}`,
        fix: error.hint });
    } else if (error instanceof NotFoundError) {
      report({ label: 'app API', status: 'fail', essential: true, detail: `reachable, but it found no pages for ${options.rootPageId ? `page ${options.rootPageId}` : `space ${options.spaceKey}`} (404)`,
        fix: error.hint });
    } else {
      report({ label: 'app API', status: 'fail', essential: true, ...failure(error) });
    }
  }

  // 5. REST scopes, one line per endpoint family.
  reportRest(probes, options, report);
}

/** One line per REST endpoint family: what it unlocks, or why the build fails without it. */
function reportRest(probes: Map<string, ProbeOutcome>, options: ResolvedOptions, report: (check: Check) => void): void {
  for (const probe of REST_PROBES) {
    const outcome = probes.get(probe.key);
    if (outcome === undefined) continue;
    if (typeof outcome === 'string') {
      report({ label: `${probe.label} (${probe.scope})`, status: 'skip', essential: false, detail: outcome });
    } else if (!(outcome instanceof Error)) {
      report({ label: `${probe.label} (${probe.scope})`, status: 'ok', essential: false, detail: `unlocks ${probe.unlocks}` });
    } else {
      const needed = NEEDED_BY_BUILD.has(probe.key) || (probe.key === 'labels' && options.excludeLabels.length > 0);
      const essential = needed;
      const scopeMissing = outcome instanceof RestScopeError && outcome.status === 403;
      report({
        label: `${probe.label} (${probe.scope})`,
        status: needed ? 'fail' : 'warn',
        essential,
        detail: scopeMissing ? `refused (403): the token lacks ${probe.scope}, which unlocks ${probe.unlocks}` : formatError(outcome).split('\n')[0]!,
        fix: scopeMissing
          ? `Add ${probe.scope} to the integration's Confluence API permissions in developer.atlassian.com/console, then run \`confluence-export auth\` again.${needed ? ' Until then the build fails: the loader cannot tell which pages may be published, so it publishes none.' : ' Until then the build checks every page one by one.'}`
          : outcome instanceof ConfluenceLoaderError ? outcome.hint : undefined,
      });
    }
  }
}

type ProbeOutcome = true | Error | string;

/** Runs each REST probe once; a string outcome says why it was not run. */
/** Thrown inside the app probe when no page is known to be public: nothing is exported then. */
class NoPublicPage extends Error {}

async function probeRest(rest: RestClient, http: HttpClient, auth: TokenProvider, apiUrl: string, options: ResolvedOptions): Promise<{ outcomes: Map<string, ProbeOutcome>; publicPageId?: string }> {
  const outcomes = new Map<string, ProbeOutcome>();
  let topLevel: boolean | undefined;
  const attempt = async (key: string, run: () => Promise<unknown>) => {
    try {
      await run();
      outcomes.set(key, true);
    } catch (error) {
      outcomes.set(key, error instanceof Error ? error : new Error(String(error)));
    }
  };
  let pageId = options.rootPageId;
  let spaceId: string | undefined;
  if (options.spaceKey && !options.rootPageId) {
    await attempt('space', async () => {
      const space = await rest.getSpaceByKey(options.spaceKey!);
      spaceId = space.id;
      if (space.homepageId) {
        pageId ??= space.homepageId;
        topLevel = true;
      }
    });
  } else {
    outcomes.set('space', 'not needed: a root page is configured');
  }
  if (options.rootPageId) {
    await attempt('pages', async () => {
      topLevel = (await rest.getPage(options.rootPageId!)).parentId === undefined;
    });
  } else if (spaceId) {
    // One result is enough to prove the scope; the client's own listing would walk the whole space.
    await attempt('pages', async () => {
      const response = await http.request({ method: 'GET', url: `${apiUrl}/wiki/api/v2/spaces/${encodeURIComponent(spaceId!)}/pages?status=current&limit=1`, auth, kind: 'rest' });
      const first = response.json<{ results?: { id?: unknown }[] }>().results?.[0]?.id;
      if (first !== undefined) pageId ??= String(first);
    });
  } else {
    outcomes.set('pages', 'not checked: needs the space lookup first');
  }
  let labels: string[] | undefined;
  if (pageId) {
    await attempt('labels', async () => {
      labels = await rest.listLabels(pageId!);
    });
    // A page id is no folder: a 404 proves the scope without knowing a folder.
    await attempt('folders', () => rest.getFolder(pageId!).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    }));
    await attempt('attachments', () => rest.listAttachments(pageId!));
  } else {
    outcomes.set('labels', 'not checked: no page id known');
    outcomes.set('folders', 'not checked: no page id known');
    outcomes.set('attachments', 'not checked: no page id known');
  }
  if (options.spaceKey) {
    // The search the build uses, with its expansions, one result: proves the scopes without walking the space.
    const cql = encodeURIComponent(`space = ${JSON.stringify(options.spaceKey)} AND type = page`);
    await attempt('search', () => http.request({ method: 'GET', url: `${apiUrl}/wiki/rest/api/content/search?cql=${cql}&expand=restrictions.read.restrictions.user,restrictions.read.restrictions.group,metadata.labels&limit=1`, auth, kind: 'rest' }));
  } else {
    outcomes.set('search', 'not checked: without CONFLUENCE_SPACE_KEY every page is checked one by one');
  }
  let publicPageId: string | undefined;
  if (pageId) {
    await attempt('restrictions', async () => {
      const excluded = new Set(options.excludeLabels.map((label) => label.toLowerCase()));
      // Public means unrestricted and, with excluded labels, known to carry none of them.
      const labelledOut = excluded.size > 0 && (labels === undefined || labels.some((label) => excluded.has(label.toLowerCase())));
      if (!(await rest.getReadRestrictions(pageId!)).restricted && topLevel && !labelledOut) publicPageId = pageId;
    });
  } else {
    outcomes.set('restrictions', 'not checked: no page id known');
  }
  return { outcomes, ...(publicPageId ? { publicPageId } : {}) };
}

function restSkipped(why: string): Check[] {
  return REST_PROBES.map((probe) => ({ label: `${probe.label} (${probe.scope})`, status: 'skip' as const, essential: false, detail: `not checked: ${why}` }));
}

/** A failed check's detail and fix, from the error the clients threw. */
function failure(error: unknown): { detail: string; fix?: string } {
  if (error instanceof ConfluenceLoaderError) return { detail: error.message, fix: error.hint };
  return { detail: formatError(error) };
}
