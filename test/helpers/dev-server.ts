/**
 * `astro dev` of the project with a given environment, for the tests that watch a running dev
 * server react to Confluence (dev-refresh, entry-html-dev): started on a free loopback port, its
 * output collected, its pages fetched as text (or `status N` / `error …`), and polled by condition.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from './site-build.ts';

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls until `check` holds, at most `attempts` × `everyMs` (13 min: a loaded machine took over 5 to start and compile the dev server); returns the last value seen. */
export async function until<T>(probe: () => Promise<T>, check: (value: T) => boolean, attempts = 4000, everyMs = 200): Promise<T> {
  let value = await probe();
  for (let i = 0; i < attempts && !check(value); i++) {
    await sleep(everyMs);
    value = await probe();
  }
  return value;
}

export interface DevServer {
  /** Where it serves, as it printed it; undefined if it never did. */
  origin: string | undefined;
  output(): string;
  /** The page at `path` as text when it answers 200, else `status N` or `error …`. */
  page(path: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startDevServer(env: NodeJS.ProcessEnv): Promise<DevServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/astro/bin/astro.mjs'), 'dev', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill();
    await new Promise((resolve) => child.once('close', resolve));
  };
  // Astro may move to another port than the one asked for: the one it serves on is the one it prints.
  // Astro colours the line (escape codes sit between "Local" and the URL in some terminals and CI).
  const origin = await until(
    async () => (child.exitCode === null ? /Local\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1] : 'exited'),
    (url) => url !== undefined,
  );
  return {
    origin: origin === 'exited' ? undefined : origin,
    output: () => output,
    async page(path) {
      try {
        const response = await fetch(`${origin}${path}`);
        return response.status === 200 ? await response.text() : `status ${response.status}`;
      } catch (error) {
        return `error ${(error as Error).message} ${String((error as Error).cause)}`;
      }
    },
    stop,
  };
}
