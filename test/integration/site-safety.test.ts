/**
 * What a public site must never carry: text of restricted or excluded pages, and secrets. The
 * built demo is searched file by file, Pagefind's gzip-compressed index and fragments decompressed
 * first; then the demo is built again through the OAuth flow (with a page of hostile raw HTML added)
 * and its dist/, build output, raw cache, snapshot and every failure message are searched for every
 * secret the build knew.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoSpace, start, type StandIn } from 'confluence-stand-in';
import { formatError } from '../../packages/astro-loader-confluence/src/errors.ts';
import type { ConfluenceLoaderOptions } from '../../packages/astro-loader-confluence/src/config/options.ts';
import { readTokenStore } from '../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { createHarness, standInOptions } from '../helpers/pipeline.ts';
import { indexHasWord, readAll, type TextFile } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const MARKERS = ['RESTRICTED-MARKER-7f3a', 'EXCLUDED-MARKER-2c9d'];
const PRIVATE_TITLES = ['Security review notes', 'Credential rotation log', 'Maintainer handbook', 'Release checklist'];

/** The forms a secret could leak in: as is, URL-encoded, base64. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
}

function expectNoSecrets(files: readonly TextFile[], secrets: readonly string[]) {
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThanOrEqual(8);
    for (const form of forms(secret)) {
      const leaks = files.filter((f) => f.text.includes(form)).map((f) => f.path);
      expect(leaks, `secret ${secret.slice(0, 6)}… found`).toEqual([]);
    }
  }
}

describe('the built demo site', () => {
  const dist = inject('demoDist');
  let files: TextFile[];
  beforeAll(() => {
    files = readAll(dist);
  });

  it('the demo space has the private pages this suite looks for', () => {
    const space = demoSpace();
    for (const title of PRIVATE_TITLES) {
      const page = space.pages.find((p) => p.title === title);
      expect(page, title).toBeDefined();
    }
  });

  it('Pagefind files are decompressed and searchable (a public word is found)', () => {
    const pagefind = files.filter((f) => f.path.startsWith('pagefind/'));
    const fragments = pagefind.filter((f) => f.path.endsWith('.pf_fragment'));
    const indexes = pagefind.filter((f) => f.path.endsWith('.pf_index'));
    expect(fragments.length).toBeGreaterThan(20);
    expect(indexes.length).toBeGreaterThan(0);
    expect(fragments.every((f) => f.text.startsWith('pagefind_dcd'))).toBe(true);
    expect(fragments.some((f) => f.text.includes('"title":"Installation"'))).toBe(true);
    expect(indexes.some((f) => indexHasWord(f.text, 'oauth'))).toBe(true);
  });

  it('holds no marker text or title of a restricted or excluded page, anywhere', () => {
    // Titles are matched as written: a public page may keep a link's words ("the security review
    // notes") while the link itself is gone, as the contract says.
    for (const file of files) {
      for (const needle of MARKERS) expect(file.text.toLowerCase(), file.path).not.toContain(needle.toLowerCase());
      for (const title of PRIVATE_TITLES) expect(file.text, file.path).not.toContain(title);
      if (file.path.endsWith('.pf_index')) for (const word of ['7f3a', '2c9d']) expect(indexHasWord(file.text, word), file.path).toBe(false);
    }
  });

  it('holds none of the stand-in secrets its build used', () => {
    expectNoSecrets(files, ['stand-in-static-token', 'stand-in-client-secret', 'stand-in-refresh-token-0']);
    expect(inject('demoBuildOutput')).not.toContain('stand-in-static-token');
  });
});

const HOSTILE_BODY = `Raw HTML safety fixture: SAFE-TEXT-KEPT.

<script>window.XSS_SCRIPT_BLOCK = 1</script>

Inline <script>window.XSS_SCRIPT_INLINE = 1</script> script.

<div onclick="window.XSS_ONCLICK=1" onmouseover="window.XSS_ONMOUSEOVER=1">A div with handlers</div>

<a href="javascript:window.XSS_JS_HREF=1">an html javascript link</a> and <a href="&#106;avascript:window.XSS_ENTITY_HREF=1">an encoded one</a> and <a href="java&#x09;script:window.XSS_TAB_HREF=1">a split one</a>

[a markdown javascript link](javascript:window.XSS_MD_LINK=1) and [a data link](data:text/html;base64,WFNTX0RBVEE=)

<iframe src="https://evil.example/XSS_IFRAME"></iframe>

<img src="x.png" onerror="window.XSS_ONERROR=1" alt="broken image">

<svg onload="window.XSS_SVG=1"><circle r="1"/></svg>

<form action="javascript:window.XSS_FORM=1"><button formaction="javascript:window.XSS_FORMACTION=1">Go</button></form>

<object data="javascript:window.XSS_OBJECT=1"></object><embed src="javascript:window.XSS_EMBED=1">

<style>body { background: url("javascript:window.XSS_STYLE=1") }</style>

<meta http-equiv="refresh" content="0;url=javascript:window.XSS_META=1">
`;

describe('the demo built through the OAuth flow, with a page of raw HTML', () => {
  let standIn: StandIn;
  let build: SiteBuild;
  let secrets: string[];
  let storePath: string;
  let hostilePath: string;

  beforeAll(async () => {
    // Unique client secret and refresh token: nothing left over from another run can match them.
    const suffix = randomBytes(6).toString('hex');
    standIn = await start({ port: 0, oauth: { clientSecret: `site-safety-secret-${suffix}`, refreshToken: `site-safety-refresh-${suffix}` } });
    const home = standIn.space.all().find((p) => !p.parentId)!;
    const hostile = standIn.space.addPage({ title: 'Raw HTML fixture', parentId: home.id, position: 9999, body: HOSTILE_BODY });
    storePath = join(TMP, 'site-safety-oauth', 'token-store', 'oauth.json');
    const { CONFLUENCE_ACCESS_TOKEN: _static, ...env } = standInEnv(standIn);
    build = await buildSite('site-safety-oauth', {
      ...env,
      CONFLUENCE_CLIENT_ID: standIn.oauth.clientId,
      CONFLUENCE_CLIENT_SECRET: standIn.oauth.clientSecret,
      CONFLUENCE_REFRESH_TOKEN: standIn.oauth.refreshToken,
      CONFLUENCE_AUTH_URL: standIn.authUrl,
      CONFLUENCE_TOKEN_STORE: storePath,
      SITE_URL: 'https://docs.example.com',
    });
    expect(existsSync(storePath), 'CONFLUENCE_TOKEN_STORE was honoured').toBe(true);
    const store = await readTokenStore(storePath);
    const sent = standIn.log.filter((e) => e.kind === 'auth').map((e) => (e.body as { refresh_token?: string }).refresh_token ?? '');
    secrets = [...new Set([standIn.accessToken, standIn.oauth.clientSecret, standIn.oauth.refreshToken, ...sent, store?.refreshToken ?? '', store?.accessToken ?? ''])].filter(Boolean);
    hostilePath = hostile.id;
  }, 600_000); // site builds run one at a time (site-build.ts), so this one may first wait for others
  afterAll(async () => {
    await standIn?.stop();
  });

  it('builds, having obtained its token through the refresh flow', () => {
    expect(build.code, build.output).toBe(0);
    expect(standIn.counters.token).toBe(1);
    // configured, rotated refresh token, access token, client secret, static token
    expect(secrets.length).toBeGreaterThanOrEqual(5);
  });

  it('puts no secret in dist/ (Pagefind and sitemap included), the build output or the raw cache', () => {
    const files = readAll(build.outDir);
    expect(files.some((f) => f.path.startsWith('sitemap'))).toBe(true);
    expect(files.some((f) => f.path.endsWith('.pf_fragment'))).toBe(true);
    expectNoSecrets(files, secrets);
    expectNoSecrets([{ path: 'build output', text: build.output }], secrets);
    expectNoSecrets(readAll(build.cacheDir), secrets);
  });

  it('keeps restricted and excluded pages out of this build too, sitemap included', () => {
    const files = readAll(build.outDir);
    const hidden = standIn.space.all().filter((p) => standIn.space.isEffectivelyRestricted(p.id) || [p, ...standIn.space.ancestors(p.id)].some((q) => q.labels.includes('internal')));
    expect(hidden.map((p) => p.title)).toEqual(expect.arrayContaining(PRIVATE_TITLES));
    for (const file of files) {
      for (const needle of MARKERS) expect(file.text.toLowerCase(), file.path).not.toContain(needle.toLowerCase());
      for (const title of PRIVATE_TITLES) expect(file.text, file.path).not.toContain(title);
      // Not even as a link target: no hidden page's id appears anywhere.
      for (const page of hidden) expect(file.text, `${file.path}: ${page.title}`).not.toContain(page.id);
    }
    const sitemap = files.filter((f) => f.path.startsWith('sitemap')).map((f) => f.text).join('\n');
    expect(sitemap).toContain('https://docs.example.com/');
    expect(sitemap).not.toMatch(/security-review|credential-rotation|maintainer-handbook|release-checklist/);
  });

  it('publishes the raw-HTML page with no script, event handler, javascript: URL or frame left', () => {
    const page = readAll(build.outDir).find((f) => f.path.endsWith('.html') && f.text.includes('SAFE-TEXT-KEPT'));
    expect(page, `page ${hostilePath}`).toBeDefined();
    const html = page!.text;
    const content = html.slice(html.indexOf('sl-markdown-content'), html.indexOf('<footer', html.indexOf('sl-markdown-content')));
    expect(content).toContain('SAFE-TEXT-KEPT');
    expect(content).toContain('A div with handlers');
    expect(content).toContain('a markdown javascript link');
    expect(content).toContain('an encoded one');
    // Every payload sits in a script body or an attribute: none may survive in any form.
    expect(html).not.toContain('XSS_');
    expect(html).not.toMatch(/javascript:/i);
    expect(content).not.toMatch(/<(script|iframe|object|embed|svg|form|style|meta)\b/i);
    expect(content).not.toMatch(/\son[a-z]+\s*=/i);
    expect(content).not.toMatch(/href="data:/i);
  });

  describe('failure paths', () => {
    const failures: { name: string; text: string }[] = [];
    const tried: string[] = [];

    async function fail(name: string, options: Partial<ConfluenceLoaderOptions>, before?: () => () => void) {
      const harness = createHarness(() => ({ ...standInOptions(standIn), retryBaseDelayMs: 1, retries: 1, ...options }));
      const undo = before?.();
      try {
        const error = await harness.run().then(() => undefined, (e: unknown) => e as Error & { hint?: string });
        expect(error, name).toBeDefined();
        tried.push(name);
        const chain: string[] = [];
        for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
          chain.push(e instanceof Error ? `${e.message}\n${e.stack}` : String(e));
        }
        failures.push({
          name,
          text: [error!.message, error!.hint, String(error), JSON.stringify(error), formatError(error), ...chain, ...harness.logs.map((l) => l.message)].join('\n'),
        });
      } finally {
        undo?.();
        harness.cleanup();
      }
    }

    it('never show a secret, whatever fails', async () => {
      const oauth = { clientId: standIn.oauth.clientId, clientSecret: standIn.oauth.clientSecret, refreshToken: standIn.oauth.refreshToken };
      const wrongSecret = `wrong-client-secret-${randomBytes(4).toString('hex')}`;
      const staleToken = `stale-refresh-token-${randomBytes(4).toString('hex')}`;
      const badAccess = `bad-access-token-${randomBytes(4).toString('hex')}`;
      const noStatic = { accessToken: undefined, authUrl: standIn.authUrl };
      await fail('wrong client secret', { ...noStatic, oauth: { ...oauth, clientSecret: wrongSecret } });
      await fail('invalid_grant', { ...noStatic, oauth: { ...oauth, refreshToken: staleToken } });
      await fail('refused access token', { accessToken: badAccess });
      await fail('a server echoing the token in its error', {}, () =>
        standIn.failAlways({ kind: 'export', status: 500, message: `Authorization: Bearer ${standIn.accessToken} (token ${standIn.accessToken}) rejected` }));
      await fail('an OAuth server echoing the secret', { ...noStatic, oauth: { ...oauth, refreshToken: staleToken } }, () =>
        standIn.failAlways({ kind: 'auth', status: 400, message: `client_secret=${standIn.oauth.clientSecret}&refresh_token=${staleToken}` }));
      expect(tried).toHaveLength(5);
      expect(failures.find((f) => f.name === 'invalid_grant')!.text).toMatch(/InvalidGrantError/);
      expect(failures.find((f) => f.name === 'wrong client secret')!.text).toMatch(/CONFLUENCE_CLIENT_SECRET/);
      expect(failures.find((f) => f.name === 'a server echoing the token in its error')!.text).toMatch(/\[REDACTED\]/);
      expectNoSecrets(failures.map((f) => ({ path: f.name, text: f.text })), [...secrets, wrongSecret, staleToken, badAccess]);
    });

    it('write no secret into a snapshot taken through the OAuth flow', async () => {
      const dir = join(TMP, 'site-safety-snapshot');
      const harness = createHarness(() => ({
        ...standInOptions(standIn),
        accessToken: undefined,
        authUrl: standIn.authUrl,
        excludeLabels: ['internal'],
        oauth: { clientId: standIn.oauth.clientId, clientSecret: standIn.oauth.clientSecret, refreshToken: (readTokenStoreSync(storePath) ?? standIn.oauth.refreshToken) },
        writeSnapshot: dir,
      }));
      try {
        await harness.run();
        const store = await readTokenStore(join(harness.root, '.confluence/oauth.json'));
        const files = readAll(dir);
        expect(files.length).toBeGreaterThan(10);
        for (const file of files) for (const marker of MARKERS) expect(file.text, file.path).not.toContain(marker);
        expectNoSecrets(files, [...secrets, store!.refreshToken, store!.accessToken!]);
        expectNoSecrets(readAll(join(harness.root, 'cache')), [...secrets, store!.refreshToken, store!.accessToken!]);
      } finally {
        harness.cleanup();
      }
    });
  });
});

/** The refresh token the site build left in its store (the configured one is spent by then). */
function readTokenStoreSync(path: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { refreshToken?: string }).refreshToken;
  } catch {
    return undefined;
  }
}
