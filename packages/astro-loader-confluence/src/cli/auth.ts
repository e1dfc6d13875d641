/**
 * `confluence-export auth`: the OAuth 2.0 authorisation-code flow of the app's getting-started
 * guide, done for the user. A callback server listens on 127.0.0.1; the authorisation URL (with
 * offline_access, so a refresh token comes back) is printed and opened; the `state` sent back is
 * checked against the one sent (a callback from anyone else is refused); the code is exchanged at
 * the token endpoint; the credentials go to a local env file, 0600, git-ignored. No token is ever
 * printed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve } from 'node:path';
import { ConfigError, ConfluenceLoaderError } from '../errors.ts';
import { createHttpClient } from '../remote/http-client.ts';
import { registerSecret } from '../redact.ts';
import { DEFAULT_AUTH_URL } from '../remote/token-provider.ts';
import { EXIT, intFlag, parse, UsageError } from './args.ts';
import { commandEnv, ensureGitIgnored, updateEnvFile } from './env-file.ts';
import type { Reporter } from './reporter.ts';

export const DEFAULT_AUTHORIZE_URL = 'https://auth.atlassian.com/authorize';
export const DEFAULT_PORT = 8976;
export const DEFAULT_ENV_FILE = '.env.confluence';
/** The app's two scopes, the Confluence REST scopes the loader's features use, and a refresh token. */
export const DEFAULT_SCOPES = [
  'export:markdown:custom',
  'read:forge-app:confluence',
  'read:space:confluence',
  'read:page:confluence',
  'read:label:confluence',
  'search:confluence',
  'read:content-details:confluence',
];

export const AUTH_HELP = `Usage: confluence-export auth [options]

Runs the OAuth 2.0 authorisation-code flow for your integration (developer.atlassian.com/console)
and writes CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN to a local
env file (mode 0600, added to .gitignore if git does not ignore it yet).

Before you start, in the integration's Authorization section add the callback URL
http://127.0.0.1:${DEFAULT_PORT}/callback (or the port you pass with --port).

The client id and secret (Settings tab of the integration) come from CONFLUENCE_CLIENT_ID and
CONFLUENCE_CLIENT_SECRET, --env-file, or the flags.

Options:
  --client-id <id>          the integration's client id (CONFLUENCE_CLIENT_ID)
  --client-secret <secret>  its secret (CONFLUENCE_CLIENT_SECRET; prefer the variable: flags show in ps)
  --scope <scopes>          space-separated scopes to ask for (default: the app's two scopes and
                            the Confluence REST scopes); offline_access is always added
  --port <n>                callback port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --out <path>              env file to write (default ${DEFAULT_ENV_FILE}); other lines in it are kept
  --env-file <path>         read CONFLUENCE_* variables from this file first
  --authorize-url <url>     authorisation endpoint (default ${DEFAULT_AUTHORIZE_URL})
  --timeout <seconds>       how long to wait for the browser (default 300)
  --no-open                 print the URL only; do not open a browser
  -h, --help                show this help

The token endpoint is CONFLUENCE_AUTH_URL (default ${DEFAULT_AUTH_URL}).`;

export async function authCommand(args: string[], reporter: Reporter): Promise<number> {
  const { values } = parse('auth', args, {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    scope: { type: 'string' },
    port: { type: 'string' },
    out: { type: 'string' },
    'authorize-url': { type: 'string' },
    timeout: { type: 'string' },
    'no-open': { type: 'boolean' },
  });
  if (values.help) {
    reporter.out(AUTH_HELP);
    return EXIT.ok;
  }
  const env = await commandEnv(values['env-file'] as string | undefined, {});
  const clientId = (values['client-id'] as string | undefined) ?? env.CONFLUENCE_CLIENT_ID?.trim();
  const clientSecret = (values['client-secret'] as string | undefined) ?? env.CONFLUENCE_CLIENT_SECRET?.trim();
  registerSecret(clientSecret);
  if (!clientId || !clientSecret) {
    throw new UsageError(`The ${!clientId ? 'client id' : 'client secret'} is missing: set CONFLUENCE_CLIENT_ID and CONFLUENCE_CLIENT_SECRET (Settings tab of your OAuth 2.0 integration in developer.atlassian.com/console), or pass --client-id / --client-secret.`, 'auth');
  }
  const port = intFlag(values, 'port', 'auth', DEFAULT_PORT);
  const timeoutMs = intFlag(values, 'timeout', 'auth', 300, 1, 86_400) * 1000;
  const authorizeUrl = (values['authorize-url'] as string | undefined) ?? DEFAULT_AUTHORIZE_URL;
  const tokenUrl = env.CONFLUENCE_AUTH_URL?.trim() || DEFAULT_AUTH_URL;
  const scopes = [...new Set([...((values.scope as string | undefined)?.split(/[\s,]+/).filter(Boolean) ?? DEFAULT_SCOPES), 'offline_access'])];
  const outFile = resolve((values.out as string | undefined) ?? DEFAULT_ENV_FILE);
  const state = randomBytes(16).toString('base64url');

  const callback = await listenForCallback(port, state);
  try {
    const redirectUri = `http://127.0.0.1:${callback.port}/callback`;
    const url = authorizationUrl(authorizeUrl, { clientId, scopes, redirectUri, state });
    reporter.out(`Open this URL in a browser, pick the site and accept (waiting on ${redirectUri}):`);
    reporter.out('');
    reporter.out(`  ${url}`);
    reporter.out('');
    if (!values['no-open']) openBrowser(url);
    const code = await withTimeout(callback.code, timeoutMs,
      `No answer reached ${redirectUri} within ${timeoutMs / 1000} s.`,
      `Open the URL above in a browser, and check that ${redirectUri} is a callback URL of the integration (Authorization section).`);
    registerSecret(code);
    reporter.info('Authorisation received; exchanging the code for tokens…');
    const tokens = await exchangeCode(tokenUrl, { clientId, clientSecret, code, redirectUri });
    await updateEnvFile(outFile, {
      CONFLUENCE_CLIENT_ID: clientId,
      CONFLUENCE_CLIENT_SECRET: clientSecret,
      CONFLUENCE_REFRESH_TOKEN: tokens.refreshToken,
      // A bearer token in the same file would win over the refresh flow and stop working within the
      // hour; it is written only when no refresh token came back.
      CONFLUENCE_ACCESS_TOKEN: tokens.refreshToken ? undefined : tokens.accessToken,
    });
    const ignored = await ensureGitIgnored(outFile);
    const shown = relative(process.cwd(), outFile) || outFile;
    reporter.out(`Wrote ${tokens.refreshToken ? 'CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN' : 'CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_ACCESS_TOKEN'} to ${shown} (mode 0600${ignored === 'added' ? `; added /${shown} to .gitignore` : ignored === 'ignored' ? ', git-ignored' : ''}).`);
    if (ignored === 'not-a-repository') reporter.out(`This folder is not in a git repository: keep ${shown} out of version control yourself.`);
    if (!tokens.refreshToken) {
      reporter.out('No refresh token came back (offline_access was not granted): the access token expires within the hour. Check that the integration allows offline_access and run auth again.');
    }
    reporter.out('');
    reporter.out('Next steps:');
    reporter.out(`  1. Check everything works:  npx confluence-export doctor --env-file ${shown} --space <KEY> --site <your-site>.atlassian.net`);
    reporter.out(`  2. Build the site:          set -a; . ./${shown}; set +a; CONFLUENCE_SPACE_KEY=<KEY> CONFLUENCE_SITE=<your-site>.atlassian.net npm run build`);
    reporter.out('  3. For CI, store the three values as secrets. Every refresh replaces the refresh token and revokes');
    reporter.out('     the old one, so give each machine its own (run auth again) rather than sharing one.');
    return EXIT.ok;
  } finally {
    await callback.close();
  }
}

/** The authorisation URL as the getting-started guide shows it; spaces in the scope as %20. */
export function authorizationUrl(base: string, p: { clientId: string; scopes: string[]; redirectUri: string; state: string }): string {
  const query = [
    ['audience', 'api.atlassian.com'],
    ['client_id', p.clientId],
    ['scope', p.scopes.join(' ')],
    ['redirect_uri', p.redirectUri],
    ['state', p.state],
    ['response_type', 'code'],
    ['prompt', 'consent'],
  ].map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&');
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

interface Callback {
  port: number;
  code: Promise<string>;
  close(): Promise<void>;
}

/** Serves GET /callback on 127.0.0.1 until an answer carrying our `state` arrives. */
async function listenForCallback(port: number, state: string): Promise<Callback> {
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((res, rej) => (settle = { resolve: res, reject: rej }));
  code.catch(() => {});
  const page = (title: string, text: string) =>
    `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui;margin:3rem"><h1>${title}</h1><p>${text}</p></body>`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const reply = (status: number, title: string, text: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(page(title, text));
    // Only an answer to our own request counts; anything else could be a forged callback.
    if (url.searchParams.get('state') !== state) {
      reply(400, 'Unexpected callback', 'The state parameter does not match the request this command made. Start again from the URL it printed.');
      return;
    }
    const error = url.searchParams.get('error');
    if (error) {
      reply(400, 'Authorisation refused', 'Atlassian did not grant access. You can close this tab; the command says what to do.');
      settle.reject(new ConfigError(`The authorisation was refused (${error}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}).`, {
        hint: 'Accept the consent screen, and check that the integration has every scope asked for (Permissions section), or ask for fewer with --scope.',
      }));
      return;
    }
    const got = url.searchParams.get('code');
    if (!got) {
      reply(400, 'No code', 'The callback carried no authorisation code.');
      return;
    }
    reply(200, 'Authorised', 'confluence-export received the authorisation. You can close this tab.');
    settle.resolve(got);
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      rej(error.code === 'EADDRINUSE'
        ? new ConfigError(`Port ${port} on 127.0.0.1 is already in use, so the callback server cannot start.`, { hint: 'Pass another --port, and add http://127.0.0.1:<port>/callback as a callback URL of the integration.' })
        : error));
    server.listen(port, '127.0.0.1', () => res());
  });
  return {
    port: (server.address() as AddressInfo).port,
    code,
    close: () => new Promise<void>((res) => {
      server.close(() => res());
      server.closeAllConnections();
    }),
  };
}

async function exchangeCode(tokenUrl: string, p: { clientId: string; clientSecret: string; code: string; redirectUri: string }): Promise<{ accessToken: string; refreshToken?: string }> {
  const http = createHttpClient({ retries: 2 });
  try {
    const response = await http.request({
      method: 'POST',
      url: tokenUrl,
      kind: 'auth',
      json: { grant_type: 'authorization_code', client_id: p.clientId, client_secret: p.clientSecret, code: p.code, redirect_uri: p.redirectUri },
    });
    const answer = response.json<{ access_token?: unknown; refresh_token?: unknown }>();
    if (typeof answer.access_token !== 'string' || !answer.access_token) {
      throw new ConfluenceLoaderError('The token endpoint answered without an access_token.', {
        request: { method: 'POST', url: tokenUrl, status: response.status },
        hint: 'Check CONFLUENCE_AUTH_URL: it must be the OAuth 2.0 token endpoint (default https://auth.atlassian.com/oauth/token).',
      }, 'BAD_RESPONSE');
    }
    registerSecret(answer.access_token);
    const refreshToken = typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : undefined;
    registerSecret(refreshToken);
    return { accessToken: answer.access_token, refreshToken };
  } finally {
    await http.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string, hint: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new ConfigError(message, { hint })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Best effort: when no browser can be started the printed URL is enough. */
function openBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // The URL is printed above.
  }
}
