/**
 * What the browser tests share: `astro preview` serving a built `dist/` on a free loopback port,
 * and Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from './dev-server.ts';
import { PROJECT_ROOT } from './site-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}, and the browser tests need it. Install it with \`apt-get install chromium\` (CI's .ci/run installs it).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Preview {
  origin: string;
  stop(): Promise<void>;
}

/** `astro preview` of `dist`, answering once it returns `/` (any status: a site may have no home page). */
export async function startPreview(dist: string): Promise<Preview> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // --ignore-lock: Astro allows one tracked preview server per project, and other suites (or a
  // developer's own `npm run preview`) may hold it; this one is ours alone and stopped by pid.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONFLUENCE_')));
  const child: ChildProcess = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/astro/bin/astro.mjs'), 'preview', '--port', String(port), '--host', '127.0.0.1', '--ignore-lock'], {
    cwd: PROJECT_ROOT,
    env: { ...env, ASTRO_OUT_DIR: dist, ASTRO_TELEMETRY_DISABLED: '1' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await exited;
  };
  // Poll until the server answers; the caller's hook timeout bounds the wait.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`astro preview exited with code ${child.exitCode}:\n${output}`);
    try {
      await (await fetch(`${origin}/`)).arrayBuffer();
      return { origin, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}
