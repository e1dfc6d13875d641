/**
 * dotenv-style files: read one to fill CONFLUENCE_* variables (`--env-file`), and write the
 * credentials `auth` obtained into one, 0600, atomically, keeping every other line as it was.
 */
import { spawnSync } from 'node:child_process';
import { readFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../errors.ts';
import { writeFileAtomic } from '../sync/fs-atomic.ts';
import { registerSecret } from '../redact.ts';
import type { Env } from '../config/env-options.ts';

/** Variables whose values are secrets: never printed, registered for redaction as soon as read. */
export const SECRET_VARIABLES = ['CONFLUENCE_ACCESS_TOKEN', 'CONFLUENCE_CLIENT_SECRET', 'CONFLUENCE_REFRESH_TOKEN'] as const;

export async function readEnvFile(path: string): Promise<Env> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the env file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`, {
      hint: 'Check the --env-file path; `confluence-export auth` writes .env.confluence in the current folder.',
    });
  }
  return parseEnv(text);
}

/**
 * The environment a command runs with: the env file fills in, the real environment wins over it
 * (as dotenv does), and flags win over both.
 */
export async function commandEnv(envFile: string | undefined, flags: Record<string, string | undefined>, base: Env = process.env): Promise<Env> {
  const fromFile = envFile ? await readEnvFile(resolve(envFile)) : {};
  const env: Env = { ...fromFile };
  for (const [key, value] of Object.entries(base)) if (value !== undefined && value !== '') env[key] = value;
  for (const [key, value] of Object.entries(flags)) env[key] = value;
  for (const name of SECRET_VARIABLES) registerSecret(env[name]);
  return env;
}

/** A value as dotenv writes it: bare when safe, double-quoted otherwise. */
function formatValue(value: string): string {
  return /^[A-Za-z0-9._~+/=:@-]*$/.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Sets `updates` in the env file at `path` (created if missing), replacing existing lines of the
 * same names in place, removing the names mapped to undefined, and keeping comments and other
 * variables. The file is written 0600 through a temp file + rename, so a crash never leaves half a secret.
 */
export async function updateEnvFile(path: string, updates: Record<string, string | undefined>): Promise<void> {
  const existing = existsSync(path) ? (await readFile(path, 'utf8')).split('\n') : [];
  if (existing.at(-1) === '') existing.pop();
  const pending = new Map(Object.entries(updates));
  const lines: string[] = [];
  for (const line of existing) {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name === undefined || !pending.has(name)) {
      lines.push(line);
      continue;
    }
    const value = pending.get(name);
    pending.delete(name);
    if (value !== undefined) lines.push(`${name}=${formatValue(value)}`);
  }
  for (const [name, value] of pending) if (value !== undefined) lines.push(`${name}=${formatValue(value)}`);
  await writeFileAtomic(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

export type IgnoreStatus = 'ignored' | 'added' | 'not-a-repository';

/**
 * Makes sure git will not pick the file up: asks git, and when it is not ignored adds its name to
 * the `.gitignore` beside it. Outside a git repository there is nothing to protect against.
 */
export async function ensureGitIgnored(path: string): Promise<IgnoreStatus> {
  const check = spawnSync('git', ['check-ignore', '-q', '--no-index', basename(path)], { cwd: dirname(path), stdio: 'ignore' });
  if (check.error || (check.status !== 0 && check.status !== 1)) return 'not-a-repository';
  if (check.status === 0) return 'ignored';
  const gitignore = join(dirname(path), '.gitignore');
  const before = existsSync(gitignore) ? await readFile(gitignore, 'utf8') : '';
  await appendFile(gitignore, `${before === '' || before.endsWith('\n') ? '' : '\n'}/${basename(path)}\n`);
  return 'added';
}
