/**
 * `confluence-export`, run as users run it (a child process) against the stand-in over HTTP:
 * help and exit codes, doctor's verdicts for a good token, a token without REST scopes and a bad
 * token, the OAuth authorisation-code flow end to end, the Markdown export and the snapshot, and
 * never a secret in any output.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_REST_SCOPES, EXPORT_SCOPES, REST_SCOPES, start, type StandIn } from 'confluence-stand-in';
import { PROJECT_ROOT } from '../helpers/site-build.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { createReporter } from '../../packages/astro-loader-confluence/src/cli/reporter.ts';
import { exportEvent } from '../../packages/astro-loader-confluence/src/sync/progress.ts';

const CLI = join(PROJECT_ROOT, 'packages/astro-loader-confluence/src/cli/index.ts');
const VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'packages/astro-loader-confluence/package.json'), 'utf8')) as { version: string }).version;
const RESTRICTED_MARKERS = ['RESTRICTED-MARKER-7f3a', 'EXCLUDED-MARKER-2c9d'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every output of every run, to check at the end that no secret was ever printed. */
const outputs: string[] = [];

function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONFLUENCE_')));
  return { ...base, CI: 'true', ...extra } as NodeJS.ProcessEnv;
}

function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = PROJECT_ROOT): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Pages the site publishes with CONFLUENCE_EXCLUDE_LABELS=internal: not restricted, no excluded label up the tree. */
function publishedCount(space: StandIn['space']): number {
  return space.all().filter((page) => !space.isEffectivelyRestricted(page.id) && ![page, ...space.ancestors(page.id)].some((p) => p.labels.includes('internal'))).length;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(join(dir, d.name)) : [join(dir, d.name)]));
}

let standIn: StandIn;
const tempDir = useTempDirs();

beforeAll(async () => {
  standIn = await start({ port: 0 });
});
afterAll(async () => {
  await standIn.stop();
});

/** The variables that point the CLI at the stand-in, with the token given. */
function standInEnv(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONFLUENCE_SPACE_KEY: standIn.space.key,
    CONFLUENCE_SITE: standIn.site,
    CONFLUENCE_EXPORT_URL: standIn.exportUrl,
    CONFLUENCE_API_URL: standIn.apiUrl,
    CONFLUENCE_AUTH_URL: standIn.authUrl,
    CONFLUENCE_ACCESS_TOKEN: token,
    CONFLUENCE_EXCLUDE_LABELS: 'internal',
    ...extra,
  };
}

describe('help, version and usage errors', () => {
  it('prints the tool help listing every command, and each command its own help, with exit code 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['doctor', 'auth', 'export <dir>', 'snapshot <dir>']) expect(help.stdout).toContain(`  ${command}`);
    for (const command of ['doctor', 'auth', 'export', 'snapshot']) {
      const own = await runCli([command, '--help']);
      expect(own.code, command).toBe(0);
      expect(own.stdout.startsWith(`Usage: confluence-export ${command}`), command).toBe(true);
      expect((await runCli(['help', command])).stdout).toBe(own.stdout);
    }
    expect((await runCli(['auth', '--help'])).stdout).toContain('--no-open');
    expect((await runCli(['export', '--help'])).stdout).toContain('--env-file <path>');
    // The package ships no .env.example: the help points at what it does ship.
    expect(help.stdout).not.toContain('.env.example');
    expect(help.stdout).toContain('confluence-export doctor');
  });

  it('prints the version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
  });

  it('exits 2 with the mistake named for no command, an unknown command, an unknown flag and a missing folder', async () => {
    expect((await runCli([])).code).toBe(2);
    const unknown = await runCli(['publish']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "publish"');
    const flag = await runCli(['export', 'out', '--spcae', 'X']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--spcae'");
    expect(flag.stderr).toContain('confluence-export export --help');
    const missing = await runCli(['snapshot'], standInEnv(standIn.accessToken));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('confluence-export snapshot <dir>');
    const port = await runCli(['auth', '--port', 'eighty'], { CONFLUENCE_CLIENT_ID: 'x', CONFLUENCE_CLIENT_SECRET: 'y' });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a whole number');
  });
});

describe('doctor', () => {
  const lines = (run: Run) => run.stdout.split('\n');
  const line = (run: Run, label: string) => lines(run).find((l) => l.includes(`${label}:`)) ?? '';

  it('is all green with a token that has every scope, and names every variable without printing the secret', async () => {
    const run = await runCli(['doctor'], standInEnv(standIn.accessToken));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Everything a build needs works.');
    expect(run.stdout).not.toContain('✗');
    for (const scope of ALL_REST_SCOPES) expect(line(run, `(${scope})`)).toMatch(/^\s+✓ /);
    expect(line(run, 'token')).toContain('✓');
    expect(line(run, 'app API')).toMatch(/✓ app API: an export of 1 page worked/);
    expect(run.stdout).toMatch(/CONFLUENCE_ACCESS_TOKEN\s+set \(\d+ characters, hidden\)/);
    expect(run.stdout).toMatch(/CONFLUENCE_CLIENT_SECRET\s+not set/);
    expect(run.stdout).toContain(`CONFLUENCE_SPACE_KEY       ${standIn.space.key}`);
  });

  it('proves an OAuth client through a refresh, keeping the rotated token in CONFLUENCE_TOKEN_STORE', async () => {
    const cwd = await tempDir('cli-doctor-oauth-');
    const store = join(cwd, 'store', 'oauth.json');
    const run = await runCli(['doctor'], {
      ...standInEnv('', {
        CONFLUENCE_CLIENT_ID: standIn.oauth.clientId,
        CONFLUENCE_CLIENT_SECRET: standIn.oauth.clientSecret,
        CONFLUENCE_REFRESH_TOKEN: standIn.oauth.refreshToken,
        CONFLUENCE_TOKEN_STORE: store,
      }),
      CONFLUENCE_ACCESS_TOKEN: undefined,
    }, cwd);
    expect(run.code).toBe(0);
    expect(line(run, 'OAuth refresh')).toContain('✓');
    expect(line(run, 'OAuth refresh')).toContain(store);
    expect((await stat(store)).mode & 0o777).toBe(0o600);
    expect(standIn.isRefreshTokenValid(standIn.oauth.refreshToken)).toBe(false);
    const stored = JSON.parse(await readFile(store, 'utf8')) as { refreshToken: string };
    expect(standIn.isRefreshTokenValid(stored.refreshToken)).toBe(true);
    outputs.push(stored.refreshToken);
    expect(run.stdout + run.stderr).not.toContain(stored.refreshToken);
  });

  it('with a token without REST scopes: each REST check fails naming its scope, the build would publish nothing, and nothing is exported', async () => {
    const token = standIn.issueToken({ scopes: [...EXPORT_SCOPES] });
    standIn.resetLog();
    const run = await runCli(['doctor'], standInEnv(token, { CONFLUENCE_EXCLUDE_LABELS: '' }));
    expect(run.code).toBe(1);
    // No page is known to be public, so the doctor exports none.
    expect(standIn.counters.export).toBe(0);
    expect(line(run, 'app API')).toMatch(/- app API: not checked: no page is known to be public/);
    for (const [family, scope] of Object.entries(REST_SCOPES)) {
      const check = line(run, `(${scope})`);
      if (family !== 'spaces' && family !== 'search') {
        // These need the space id or a page id, which the refused space lookup would have given.
        expect(check, family).toMatch(/^\s+- .*not checked/);
        continue;
      }
      expect(check, family).toMatch(/^\s+[✗!] /);
      expect(check, family).toContain(`the token lacks ${scope}`);
    }
    expect(run.stdout).toContain('Fix: Add read:space:confluence to the integration');
    expect(run.stdout).toContain('Until then the build fails: the loader cannot tell which pages may be published, so it publishes none.');
    expect(run.stdout).not.toContain(token);
  });

  it('with only the restriction scope missing: that check fails with its fix, and it stops a build', async () => {
    const token = standIn.issueToken({ scopes: [...EXPORT_SCOPES, ...ALL_REST_SCOPES.filter((s) => s !== REST_SCOPES.restrictions)] });
    const run = await runCli(['doctor'], standInEnv(token));
    expect(run.code).toBe(1);
    const check = line(run, `(${REST_SCOPES.restrictions})`);
    expect(check).toMatch(/^\s+✗ .*checking read restrictions, without which nothing is published/);
    expect(line(run, `(${REST_SCOPES.pages})`)).toContain('✓');
    expect(run.stdout).toContain('Until then the build fails: the loader cannot tell which pages may be published');
    expect(run.stdout).toContain('1 problem(s) stop a build: REST restrictions');
  });

  it('with a bad or expired token: exit 1, says it is invalid or expired and what to do, and prints neither token', async () => {
    const expired = standIn.issueToken({ ttlSec: 0 });
    for (const token of ['not-a-real-token-0123456789', expired]) {
      const run = await runCli(['doctor'], standInEnv(token));
      expect(run.code).toBe(1);
      expect(line(run, 'token')).toMatch(/✗ token: refused by Confluence REST \(401\): it is invalid or expired/);
      expect(run.stdout).toContain('Fix: CONFLUENCE_ACCESS_TOKEN expires an hour after it was issued');
      expect(run.stdout + run.stderr).not.toContain(token);
    }
  });

  it('with a token lacking the app scopes: REST works, so it says which scopes the app needs', async () => {
    const token = standIn.issueToken({ scopes: [...ALL_REST_SCOPES] });
    const run = await runCli(['doctor'], standInEnv(token));
    expect(run.code).toBe(1);
    expect(line(run, 'token')).toContain('lacks the app scopes export:markdown:custom and read:forge-app:confluence');
  });

  it('with nothing configured, or no credentials, or a wrong space: exit 1 and the fix', async () => {
    const nothing = await runCli(['doctor']);
    expect(nothing.code).toBe(1);
    expect(nothing.stdout).toContain('✗ what to publish: neither CONFLUENCE_SPACE_KEY nor CONFLUENCE_ROOT_PAGE_ID is set');
    expect(nothing.stdout).toContain('Fix: Set CONFLUENCE_SPACE_KEY');

    const noCredentials = await runCli(['doctor', '--space', 'DEMO']);
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stdout).toContain('✗ credentials');
    expect(noCredentials.stdout).toContain('confluence-export auth');

    const wrongSpace = await runCli(['doctor', '--space', 'NOPE'], standInEnv(standIn.accessToken));
    expect(wrongSpace.code).toBe(1);
    expect(line(wrongSpace, '(read:space:confluence)')).toContain('Confluence has no space with key "NOPE"');
    expect(line(wrongSpace, 'app API')).toContain('not checked');
  });
});

describe('auth', () => {
  it('runs the authorisation-code flow: checks state, writes a 0600 env file whose refresh token works, keeps other lines', async () => {
    const cwd = await tempDir('cli-auth-');
    const envFile = join(cwd, '.env.confluence');
    await writeFile(envFile, '# my settings\nCONFLUENCE_SPACE_KEY=DEMO\nCONFLUENCE_ACCESS_TOKEN=an-old-access-token-123\n');
    const child = spawn(process.execPath, [CLI, 'auth', '--port', '0', '--no-open', '--authorize-url', standIn.authorizeUrl], {
      cwd,
      env: cleanEnv({ CONFLUENCE_CLIENT_ID: standIn.oauth.clientId, CONFLUENCE_CLIENT_SECRET: standIn.oauth.clientSecret, CONFLUENCE_AUTH_URL: standIn.authUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((res) => child.on('close', res));
    const printed = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const url = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stdout)?.[1];
        if (url) res(url);
      });
      child.on('close', () => rej(new Error(`auth exited before printing a URL:\n${stdout}\n${stderr}`)));
    });

    const url = new URL(printed);
    expect(url.searchParams.get('audience')).toBe('api.atlassian.com');
    expect(url.searchParams.get('client_id')).toBe(standIn.oauth.clientId);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining([...EXPORT_SCOPES, 'offline_access']));
    expect(printed).toContain('%20offline_access');
    const redirectUri = url.searchParams.get('redirect_uri')!;
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    // A callback that does not carry our state is refused, and the command keeps waiting.
    const forged = await fetch(`${redirectUri}?code=forged&state=not-the-state`);
    expect(forged.status).toBe(400);
    // The stand-in's consent is immediate: /authorize redirects straight back with a code.
    const answer = await fetch(printed);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('You can close this tab');

    expect(await exited).toBe(0);
    outputs.push(stdout, stderr);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    const text = await readFile(envFile, 'utf8');
    expect(text.startsWith('# my settings\nCONFLUENCE_SPACE_KEY=DEMO\n')).toBe(true);
    const written = parseEnv(text);
    expect(written.CONFLUENCE_CLIENT_ID).toBe(standIn.oauth.clientId);
    expect(written.CONFLUENCE_CLIENT_SECRET).toBe(standIn.oauth.clientSecret);
    // A bearer token would win over the refresh flow and die within the hour: it is removed.
    expect(written.CONFLUENCE_ACCESS_TOKEN).toBeUndefined();
    const refreshToken = written.CONFLUENCE_REFRESH_TOKEN!;
    expect(standIn.isRefreshTokenValid(refreshToken)).toBe(true);
    expect(stdout + stderr).not.toContain(refreshToken);
    expect(stdout).toContain('Next steps:');
    expect(stdout).toContain('doctor --env-file .env.confluence');

    // The refresh token works, and the written file drives doctor.
    const doctor = await runCli(['doctor', '--env-file', envFile], {
      CONFLUENCE_SITE: standIn.site,
      CONFLUENCE_EXPORT_URL: standIn.exportUrl,
      CONFLUENCE_API_URL: standIn.apiUrl,
      CONFLUENCE_AUTH_URL: standIn.authUrl,
    }, cwd);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain('✓ OAuth refresh');
    expect(standIn.isRefreshTokenValid(refreshToken)).toBe(false);
    outputs.push(refreshToken);
  });

  it('fails with the fix when the client id is missing, or the port is taken', async () => {
    const missing = await runCli(['auth', '--no-open']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('CONFLUENCE_CLIENT_ID and CONFLUENCE_CLIENT_SECRET');
    const taken = await runCli(['auth', '--no-open', '--port', String(standIn.port)], { CONFLUENCE_CLIENT_ID: 'id', CONFLUENCE_CLIENT_SECRET: 'secret-for-test-1' });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`Port ${standIn.port} on 127.0.0.1 is already in use`);
    expect(taken.stderr).not.toContain('secret-for-test-1');
  });
});

describe('export', () => {
  it('writes the published pages as Markdown with frontmatter, attachments beside them, and links that resolve to files', async () => {
    const dir = join(await tempDir('cli-export-'), 'docs-md');
    const run = await runCli(['export', dir], standInEnv(standIn.accessToken));
    expect(run.stderr).toBe(run.stderr.replace(/\x1b/g, ''));
    expect(run.code, run.stderr).toBe(0);
    const published = publishedCount(standIn.space);
    expect(run.stdout).toContain(`Exported ${published} pages to ${dir}`);

    const files = allFiles(dir);
    const pages = files.filter((f) => f.endsWith('.md'));
    expect(pages).toHaveLength(published);
    expect(files.filter((f) => /\.attachments\//.test(f)).length).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(dir, '.confluence-export.json'), 'utf8')) as { pages: { id: string; file: string }[] };
    expect(manifest.pages.map((p) => p.file).sort()).toEqual(pages.map((f) => relative(dir, f)).sort());

    let checkedLinks = 0;
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      for (const marker of RESTRICTED_MARKERS) expect(text, file).not.toContain(marker);
    }
    for (const file of pages) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).toMatch(/^---\ntitle: ".+"\nconfluenceId: "\d+"\nversion: \d+\n(lastUpdated: \S+\n)?/);
      const body = text.slice(text.indexOf('\n---\n') + 5);
      expect(body, file).not.toContain('__confluence_export__');
      // Links to the Confluence site became file links (only the frontmatter names the page there).
      expect(body, file).not.toContain(standIn.site);
      const prose = body.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (/^[a-z]+:|^#/i.test(target!)) continue;
        const path = resolve(dirname(file), decodeURIComponent(target!.split('#')[0]!));
        expect(existsSync(path), `${relative(dir, file)} → ${target}`).toBe(true);
        expect(path.startsWith(dir)).toBe(true);
        checkedLinks++;
      }
    }
    expect(checkedLinks).toBeGreaterThan(20);
    const home = readFileSync(join(dir, 'index.md'), 'utf8');
    expect(home).toContain('](index.attachments/');
    expect(home).toMatch(/title: "Confluence to Starlight"/);
    // Panels in the portable GFM form, the bold-label one included; no Starlight directive.
    expect(home).toContain('> [!NOTE]\n');
    expect(home).toContain('> [!NOTE]\n> The Markdown Exporter app exports as a user');
    for (const file of pages) expect(readFileSync(file, 'utf8'), file).not.toMatch(/^:::/m);

    // A second export replaces the folder whole.
    const again = await runCli(['export', dir], standInEnv(standIn.accessToken));
    expect(again.code).toBe(0);
    expect(allFiles(dir).filter((f) => f.endsWith('.md'))).toHaveLength(published);
  });

  it('writes Starlight asides with --alerts starlight, and refuses an unknown syntax', async () => {
    const dir = join(await tempDir('cli-export-asides-'), 'docs-md');
    const run = await runCli(['export', dir, '--alerts', 'starlight'], standInEnv(standIn.accessToken));
    expect(run.code, run.stderr).toBe(0);
    const home = readFileSync(join(dir, 'index.md'), 'utf8');
    expect(home).toMatch(/^:::note\nThe Markdown Exporter app exports as a user/m);
    expect(home).not.toContain('> [!');
    const wrong = await runCli(['export', dir, '--alerts', 'mkdocs'], standInEnv(standIn.accessToken));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--alerts must be gfm or starlight');
  });

  it('refuses to replace a folder it did not write, and fails clearly without credentials or with a wrong space', async () => {
    const foreign = await tempDir('cli-export-foreign-');
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const refused = await runCli(['export', foreign], standInEnv(standIn.accessToken));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was not written by `confluence-export export`');
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');

    const target = join(await tempDir('cli-export-fail-'), 'out');
    const noCredentials = await runCli(['export', target], { ...standInEnv(''), CONFLUENCE_ACCESS_TOKEN: undefined });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toContain('No Confluence credentials are set.');
    expect(noCredentials.stderr).toContain('confluence-export auth');

    const wrongSpace = await runCli(['export', target, '--space', 'NOPE'], standInEnv(standIn.accessToken));
    expect(wrongSpace.code).toBe(1);
    expect(wrongSpace.stderr).toMatch(/NotFoundError: .*NOPE/);
    expect(existsSync(target)).toBe(false);
  });
});

describe('sync report', () => {
  it('writes pages published, left out by reason and id, unresolved links, missing attachments and calls; a summary for GitHub Actions; no unpublished title', async () => {
    const cwd = await tempDir('cli-report-');
    const summary = join(cwd, 'step-summary.md');
    await writeFile(summary, '## Earlier step\n');
    const run = await runCli(['snapshot', join(cwd, 'snap'), '--report', 'reports/sync.json'], { ...standInEnv(standIn.accessToken), GITHUB_STEP_SUMMARY: summary }, cwd);
    expect(run.code, run.stderr).toBe(0);
    const text = await readFile(join(cwd, 'reports/sync.json'), 'utf8');
    const report = JSON.parse(text) as { pages: { published: number; exported: number }; leftOut: Record<string, string[]>; unresolvedLinks: { fromPageId: string; reason: string; targetId?: string }[]; missingAttachments: unknown[]; calls: { export: number; exportIds: string[] } };
    const hidden = standIn.space.all().filter((p) => standIn.space.isEffectivelyRestricted(p.id) || [p, ...standIn.space.ancestors(p.id)].some((a) => a.labels.includes('internal')));
    expect(report.pages).toMatchObject({ published: publishedCount(standIn.space), exported: publishedCount(standIn.space) });
    expect([...report.leftOut.restricted!, ...report.leftOut['excluded-label']!].sort()).toEqual(hidden.map((p) => p.id).sort());
    expect(report.unresolvedLinks.length).toBeGreaterThan(0);
    for (const link of report.unresolvedLinks) {
      expect(['restricted', 'excluded-label', 'outside-export', 'not-found']).toContain(link.reason);
      if (link.targetId) expect(hidden.map((p) => p.id)).toContain(link.targetId);
    }
    expect(report.calls.export).toBe(report.calls.exportIds.length);
    expect(report.calls.export).toBeGreaterThan(0);
    const written = await readFile(summary, 'utf8');
    expect(written.startsWith('## Earlier step\n')).toBe(true);
    expect(written).toContain(`| pages published | ${publishedCount(standIn.space)} `);
    for (const page of hidden) {
      expect(text).not.toContain(page.title);
      expect(written).not.toContain(page.title);
    }
    expect(text).not.toContain('/wiki/');
  });
});

describe('snapshot', () => {
  it('writes the raw exports of the published pages and a manifest, and replaces only an earlier snapshot', async () => {
    const dir = join(await tempDir('cli-snapshot-'), 'snapshots', 'v1');
    const run = await runCli(['snapshot', dir], standInEnv(standIn.accessToken));
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { tool: string; takenAt: string; pages: { id: string; version: { number: number } }[]; roots: string[]; exportCalls: number };
    expect(manifest.tool).toBe(`astro-loader-confluence@${VERSION}`);
    expect(Number.isNaN(Date.parse(manifest.takenAt))).toBe(false);
    expect(manifest.pages).toHaveLength(publishedCount(standIn.space));
    expect(manifest.exportCalls).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'pages')).sort()).toEqual(manifest.pages.map((p) => `${p.id}.md`).sort());
    for (const file of allFiles(dir)) {
      const text = readFileSync(file, 'latin1');
      for (const marker of RESTRICTED_MARKERS) expect(text, file).not.toContain(marker);
      expect(text, file).not.toContain(standIn.accessToken);
    }
    expect(run.stdout).toContain(`Snapshot of ${manifest.pages.length} pages written to ${dir}`);
    // Said once: no log line on stderr repeating the result.
    expect(`${run.stdout}\n${run.stderr}`.match(/snapshot of \d+ pages/gi)).toHaveLength(1);

    const again = await runCli(['snapshot', dir], standInEnv(standIn.accessToken));
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).takenAt >= manifest.takenAt).toBe(true);

    const foreign = await tempDir('cli-snapshot-foreign-');
    await mkdir(join(foreign, 'src'));
    const refused = await runCli(['snapshot', foreign], standInEnv(standIn.accessToken));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('holds no manifest.json');
    expect(statSync(join(foreign, 'src')).isDirectory()).toBe(true);
  });
});

describe('progress display', () => {
  const snapshot = (done: number) => exportEvent({ batchesDone: done, batchesTotal: 4, pagesDone: done * 10, pagesTotal: 40 });

  it('redraws one bar on a terminal and ends it with a newline', () => {
    const writes: string[] = [];
    const stderr = { isTTY: true, columns: 120, write: (t: string) => writes.push(t) };
    const reporter = createReporter({ write: () => true }, stderr, {});
    expect(reporter.interactive).toBe(true);
    for (let i = 1; i <= 4; i++) reporter.progress(snapshot(i));
    reporter.endProgress();
    expect(writes.filter((w) => w.startsWith('\r\x1b[2K['))).toHaveLength(4);
    expect(writes.at(-2)).toContain('[########################] exporting: 4/4 batches, 40/40 pages');
    expect(writes.at(-1)).toBe('\n');
  });

  it('ends a phase\'s bar once it is done, so lines printed after it do not draw it again', () => {
    const writes: string[] = [];
    const reporter = createReporter({ write: (t: string) => writes.push(`out:${t}`) }, { isTTY: true, columns: 120, write: (t: string) => writes.push(t) }, {});
    reporter.progress({ phase: 'discovering pages', done: 500, unit: 'pages' });
    reporter.info('a line while discovering');
    expect(writes.at(-1)).toContain('discovering pages: 500 pages'); // redrawn below the line
    for (let i = 1; i <= 4; i++) reporter.progress(snapshot(i));
    const finished = writes.length;
    reporter.info('Wrote what was asked');
    reporter.out('Done.');
    expect(writes.slice(finished)).toEqual(['Wrote what was asked\n', 'out:Done.\n']);
  });

  it('prints plain lines, no escape codes, in CI even on a terminal', () => {
    const writes: string[] = [];
    const reporter = createReporter({ write: () => true }, { isTTY: true, write: (t: string) => writes.push(t) }, { CI: 'true' });
    expect(reporter.interactive).toBe(false);
    for (let i = 1; i <= 4; i++) reporter.progress(snapshot(i));
    reporter.endProgress();
    expect(writes.join('')).not.toContain('\x1b');
    // The first and the last step always show; the ones in between are throttled.
    expect(writes.at(0)).toContain('exporting: 1/4 batches');
    expect(writes.at(-1)).toBe('exporting: 4/4 batches, 40/40 pages, 0s elapsed\n');
  });
});

describe('--json', () => {
  const parse = (run: Run) => JSON.parse(run.stdout) as Record<string, unknown> & { warnings: string[] };

  it('doctor: one document on stdout with every variable and check, the human text on stderr, no secret', async () => {
    const run = await runCli(['doctor', '--json'], standInEnv(standIn.accessToken));
    expect(run.code).toBe(0);
    const doc = parse(run) as unknown as { command: string; ok: boolean; variables: { name: string; set: boolean; value?: string; length?: number }[]; checks: { label: string; status: string }[]; problems: string[] };
    expect(doc.command).toBe('doctor');
    expect(doc.ok).toBe(true);
    expect(doc.problems).toEqual([]);
    expect(doc.checks.find((c) => c.label === 'app API')?.status).toBe('ok');
    expect(doc.checks.filter((c) => c.label.startsWith('REST ')).map((c) => [c.label, c.status])).toEqual(
      [
        ['space lookup', 'read:space:confluence'], ['pages list', 'read:page:confluence'], ['restrictions', 'read:content-details:confluence'],
        ['content search', 'search:confluence'], ['labels', 'read:label:confluence'], ['folders', 'read:folder:confluence'], ['attachments', 'read:attachment:confluence'],
      ].map(([name, scope]) => [`REST ${name} (${scope})`, 'ok']),
    );
    expect(doc.variables.find((v) => v.name === 'CONFLUENCE_SPACE_KEY')?.value).toBe(standIn.space.key);
    expect(doc.variables.find((v) => v.name === 'CONFLUENCE_ACCESS_TOKEN')).toEqual({ name: 'CONFLUENCE_ACCESS_TOKEN', set: true, secret: true, length: standIn.accessToken.length });
    expect(run.stdout).not.toContain(standIn.accessToken);
    expect(run.stderr).toContain('Everything a build needs works.');
  });

  it('doctor: a failure is ok: false with the problems named, exit code 1', async () => {
    const run = await runCli(['doctor', '--json', '--space', 'NOPE'], standInEnv(standIn.accessToken));
    expect(run.code).toBe(1);
    const doc = parse(run) as unknown as { ok: boolean; problems: string[]; checks: { label: string; status: string; fix?: string }[] };
    expect(doc.ok).toBe(false);
    // The space is not found by REST, so no page is known to be public and the app API is not
    // tried: the doctor never exports a page it has not seen to be publishable.
    expect(doc.problems).toEqual(['REST space lookup (read:space:confluence)']);
    const lookup = doc.checks.find((c) => c.label === 'REST space lookup (read:space:confluence)')!;
    expect(lookup.status).toBe('fail');
    expect(lookup.fix).toContain('CONFLUENCE_SPACE_KEY');
    expect(doc.checks.find((c) => c.label === 'app API')?.status).toBe('skip');
  });

  it('export and snapshot: the result and counts as one document; errors too', async () => {
    const base = await tempDir('cli-json-');
    const exported = await runCli(['export', join(base, 'md'), '--json'], standInEnv(standIn.accessToken));
    expect(exported.code, exported.stderr).toBe(0);
    const doc = parse(exported) as unknown as { command: string; ok: boolean; pages: number; exportCalls: number; files: { id: string; file: string }[]; warnings: string[] };
    expect(doc).toMatchObject({ command: 'export', ok: true, dir: join(base, 'md'), pages: publishedCount(standIn.space) });
    expect(doc.exportCalls).toBeGreaterThan(0);
    expect(doc.files.map((f) => f.file)).toContain('index.md');
    expect(doc.warnings.length).toBeGreaterThan(0); // links to the restricted and excluded pages
    expect(exported.stderr).toContain('Exported');

    const snapshot = await runCli(['snapshot', join(base, 'snap'), '--json'], standInEnv(standIn.accessToken));
    expect(snapshot.code, snapshot.stderr).toBe(0);
    expect(parse(snapshot)).toMatchObject({ command: 'snapshot', ok: true, pages: publishedCount(standIn.space) });

    const failed = await runCli(['export', join(base, 'md2'), '--json', '--space', 'NOPE'], standInEnv(standIn.accessToken));
    expect(failed.code).toBe(1);
    expect(parse(failed)).toMatchObject({ command: 'export', ok: false, error: { name: 'NotFoundError' } });
    const usage = await runCli(['snapshot', '--json'], standInEnv(standIn.accessToken));
    expect(usage.code).toBe(2);
    expect(parse(usage)).toMatchObject({ command: 'snapshot', ok: false, error: { name: 'UsageError' } });
  });
});

describe('secrets', () => {
  it('never printed a token or client secret in any run', () => {
    expect(outputs.length).toBeGreaterThan(20);
    const secrets = [standIn.accessToken, standIn.oauth.clientSecret, standIn.oauth.refreshToken, ...outputs.filter((o) => /^standin_rt_/.test(o))];
    const printed = outputs.filter((o) => !/^standin_rt_/.test(o)).join('\n');
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });
});
