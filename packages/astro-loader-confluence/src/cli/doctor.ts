/**
 * `confluence-export doctor`: checks, in the order a build needs them, what is configured, the
 * cloud id, the token, the app API and each Confluence REST scope, and says for every failure
 * what to fix. Each check goes through the same clients a build uses, so a green doctor means the
 * build's requests work. Essential failures (the build cannot work) give exit code 1; missing
 * REST scopes are warnings, because the loader still publishes small spaces without them.
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
fails; missing REST scopes are warnings (the loader then exports up to 100 pages without them).

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

/** What a build does without the REST tree: one space export (live-source.ts). */
const ONE_CALL = 'the loader exports the space in one call: at most 100 pages, alphabetical order, and restrictions are NOT checked';

/** The REST calls a build makes, the scope each needs, what it gives the site, and what a build does without it. */
const REST_PROBES = [
  { key: 'space', label: 'REST space lookup', scope: 'read:space:confluence', unlocks: 'finding the space by its key, for tree discovery', without: ONE_CALL },
  { key: 'pages', label: 'REST pages list', scope: 'read:page:confluence', unlocks: 'the page tree: sibling order, spaces over 100 pages, incremental sync by version', without: ONE_CALL },
  { key: 'labels', label: 'REST labels', scope: 'read:label:confluence', unlocks: 'reading page labels (optional: excluded labels are found through search)', without: undefined },
  { key: 'search', label: 'REST search (CQL)', scope: 'search:confluence', unlocks: 'CONFLUENCE_EXCLUDE_LABELS', without: 'CONFLUENCE_EXCLUDE_LABELS cannot be used (a build with it set fails)' },
  { key: 'restrictions', label: 'REST restrictions', scope: 'read:content-details:confluence', unlocks: 'leaving restricted pages out automatically', without: ONE_CALL },
] as const;

/** Which REST probes the build depends on: without any of these, the loader falls back to one space export. */
const NEEDED_BY_BUILD = new Set(['space', 'pages', 'search', 'restrictions']);

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
  const probes = await probeRest(rest, http, auth, apiUrl, options);
  const restTokenRefused = [...probes.values()].some((outcome) => outcome instanceof RestScopeError && outcome.status === 401);
  let tokenWorks = [...probes.values()].some((outcome) => outcome === true);
  try {
    const answer = await bulkExport(http, auth, exportUrl, {
      ...(options.rootPageId ? { pageId: options.rootPageId, bulkExport: false } : { spaceKey: options.spaceKey }),
      maxPages: 1,
      includeAttachments: false,
    });
    tokenWorks = true;
    report({ label: 'token', status: 'ok', essential: true, detail: 'accepted by the app API' });
    report({ label: 'app API', status: 'ok', essential: true, detail: `an export of 1 page worked (export id ${answer.exportId}) at ${exportUrl}` });
  } catch (error) {
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
  for (const probe of REST_PROBES) {
    const outcome = probes.get(probe.key);
    if (outcome === undefined) continue;
    if (typeof outcome === 'string') {
      report({ label: `${probe.label} (${probe.scope})`, status: 'skip', essential: false, detail: outcome });
    } else if (!(outcome instanceof Error)) {
      report({ label: `${probe.label} (${probe.scope})`, status: 'ok', essential: false, detail: `unlocks ${probe.unlocks}` });
    } else {
      const needed = NEEDED_BY_BUILD.has(probe.key);
      const essential = needed && options.excludeLabels.length > 0;
      const scopeMissing = outcome instanceof RestScopeError && outcome.status === 403;
      report({
        label: `${probe.label} (${probe.scope})`,
        status: needed ? 'fail' : 'warn',
        essential,
        detail: scopeMissing ? `refused (403): the token lacks ${probe.scope}, which unlocks ${probe.unlocks}` : formatError(outcome).split('\n')[0]!,
        fix: scopeMissing
          ? `Add ${probe.scope} to the integration's Confluence API permissions in developer.atlassian.com/console, then run \`confluence-export auth\` again.${needed ? ` Until then, ${essential ? 'with CONFLUENCE_EXCLUDE_LABELS set, the build fails' : probe.without}.` : ''}`
          : outcome instanceof ConfluenceLoaderError ? outcome.hint : undefined,
      });
    }
  }
}

type ProbeOutcome = true | Error | string;

/** Runs each REST probe once; a string outcome says why it was not run. */
async function probeRest(rest: RestClient, http: HttpClient, auth: TokenProvider, apiUrl: string, options: ResolvedOptions): Promise<Map<string, ProbeOutcome>> {
  const outcomes = new Map<string, ProbeOutcome>();
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
      pageId ??= space.homepageId;
    });
  } else {
    outcomes.set('space', 'not needed: a root page is configured');
  }
  if (options.rootPageId) {
    await attempt('pages', () => rest.getPage(options.rootPageId!));
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
  if (pageId) {
    await attempt('labels', () => rest.listLabels(pageId!));
  } else {
    outcomes.set('labels', 'not checked: no page id known');
  }
  const scope = options.spaceKey ? `space = ${JSON.stringify(options.spaceKey)} AND ` : '';
  await attempt('search', () => rest.searchByCql(`${scope}type = page AND label = "confluence-export-doctor"`, 1));
  if (pageId) {
    await attempt('restrictions', () => rest.getReadRestrictions(pageId!));
  } else {
    outcomes.set('restrictions', 'not checked: no page id known');
  }
  return outcomes;
}

function restSkipped(why: string): Check[] {
  return REST_PROBES.map((probe) => ({ label: `${probe.label} (${probe.scope})`, status: 'skip' as const, essential: false, detail: `not checked: ${why}` }));
}

/** A failed check's detail and fix, from the error the clients threw. */
function failure(error: unknown): { detail: string; fix?: string } {
  if (error instanceof ConfluenceLoaderError) return { detail: error.message, fix: error.hint };
  return { detail: formatError(error) };
}
