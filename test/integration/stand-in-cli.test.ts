/**
 * The stand-in as a user gets it: packed, installed into a folder outside the workspace, started
 * through its `confluence-stand-in` bin, and talked to over 127.0.0.1 as the loader and a writer
 * would: the variables it prints, the REST and admin APIs, a generated space, a space kept as
 * files whose edits become new page versions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmInstall, packWorkspacePackage, undeclaredImports } from '../helpers/pack.ts';

let folder: string;
let installed: string;
const children: ChildProcess[] = [];

interface Running {
  env: Record<string, string>;
  output: () => string;
}

/** Starts the installed bin; resolves once it has printed the variables that point the loader at it. */
function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [join(folder, 'node_modules/.bin/confluence-stand-in'), ...args], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (!output.includes('export CONFLUENCE_ACCESS_TOKEN=')) return;
      const env = Object.fromEntries(output.split('\n').filter((l) => l.startsWith('export ')).map((l) => {
        const [name, ...value] = l.slice('export '.length).split('=');
        return [name!, value.join('=')];
      }));
      resolve({ env, output: () => output });
    });
    child.on('close', (code) => reject(new Error(`confluence-stand-in exited (${code}) before printing its variables:\n${output}`)));
  });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(folder, 'node_modules/.bin/confluence-stand-in'), ...args], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const rest = async (env: Record<string, string>, path: string) => {
  const response = await fetch(`${env.CONFLUENCE_API_URL}/wiki${path}`, { headers: { authorization: `Bearer ${env.CONFLUENCE_ACCESS_TOKEN}` } });
  expect(response.status, path).toBe(200);
  return response.json() as Promise<Record<string, any>>;
};
const admin = async (env: Record<string, string>, method: string, path: string, body?: unknown) => {
  const origin = new URL(env.CONFLUENCE_API_URL!).origin;
  const response = await fetch(`${origin}/_admin/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: response.status === 204 ? undefined : ((await response.json()) as Record<string, any>) };
};

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'stand-in-user-'));
  writeFileSync(join(folder, 'package.json'), '{ "name": "try-the-stand-in", "private": true }\n');
  npmInstall(folder, [packWorkspacePackage('confluence-stand-in').tarball]);
  installed = join(folder, 'node_modules/confluence-stand-in');
}, 300_000);

afterAll(() => {
  for (const child of children) child.kill();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('the packed stand-in', () => {
  it('ships JavaScript with no dependency at all, and needs none', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.bin['confluence-stand-in']).toBe('./dist/cli.js');
    const { undeclared, checked } = undeclaredImports(installed);
    expect(checked).toBeGreaterThan(20);
    expect(undeclared).toEqual([]);
  });

  it('explains itself, and names a wrong flag with exit code 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--dir', '--generate', '--shape', '--latency-ms', '--fault-rate', '--port']) expect(help.stdout).toContain(flag);
    const wrong = await run(['--generate', '10', '--shape', 'cube']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--shape must be one of balanced, deep, flat, mixed');
  });

  it('serves a generated space, prints the variables that reach it, and takes an edit over HTTP', async () => {
    // --env prints only the lines for eval "$(confluence-stand-in --env)".
    const { env, output } = await startCli(['--port', '0', '--generate', '120', '--shape', 'balanced', '--seed', '3', '--env']);
    expect(output().trim().split('\n').every((line) => line.startsWith('export CONFLUENCE_'))).toBe(true);
    expect(Object.keys(env).sort()).toEqual(['CONFLUENCE_ACCESS_TOKEN', 'CONFLUENCE_API_URL', 'CONFLUENCE_CLOUD_ID', 'CONFLUENCE_EXPORT_URL', 'CONFLUENCE_SITE', 'CONFLUENCE_SPACE_KEY'].sort());
    expect(new URL(env.CONFLUENCE_API_URL!).hostname).toBe('127.0.0.1');
    const space = await rest(env, `/api/v2/spaces?keys=${env.CONFLUENCE_SPACE_KEY}`);
    expect(space.results).toHaveLength(1);
    const listed = await admin(env, 'GET', 'pages');
    expect(listed.json!.pages).toHaveLength(120);

    const { id, version } = listed.json!.pages[5] as { id: string; version: { number: number } };
    const edited = await admin(env, 'PUT', `pages/${id}`, { body: 'Edited over HTTP.' });
    expect(edited.status).toBe(200);
    expect(edited.json!.version.number).toBe(version.number + 1);
    expect((await rest(env, `/api/v2/pages/${id}`)).version.number).toBe(version.number + 1);
    const exported = await fetch(`${env.CONFLUENCE_EXPORT_URL}/singleExport`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.CONFLUENCE_ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pageId: id }),
    });
    expect(await exported.text()).toContain('Edited over HTTP.');
    expect((await admin(env, 'PUT', 'pages/999', { body: 'x' })).status).toBe(404);
    expect((await admin(env, 'PUT', `pages/${id}`, { nothing: true })).status).toBe(400);
  });

  it('serves a space kept as files and follows edits to them', async () => {
    const dir = join(folder, 'my-space');
    cpSync(join(installed, 'demo'), dir, { recursive: true });
    const running = await startCli(['--port', '0', '--dir', dir]);
    const spec = JSON.parse(readFileSync(join(dir, 'space.json'), 'utf8')) as { key: string; pages: { id: string; bodyFile: string }[] };
    expect(running.env.CONFLUENCE_SPACE_KEY).toBe(spec.key);
    const page = spec.pages[1]!;
    expect((await admin(running.env, 'GET', `pages/${page.id}`)).json!.version.number).toBe(1);

    writeFileSync(join(dir, page.bodyFile), 'Rewritten in my editor.\n');
    // Bounded wait on the condition: the watcher applies the edit a moment after the write.
    let version = 1;
    for (let attempt = 0; attempt < 600 && version === 1; attempt++) {
      await sleep(100);
      version = (await admin(running.env, 'GET', `pages/${page.id}`)).json!.version.number as number;
    }
    expect(version).toBe(2);
    expect((await admin(running.env, 'GET', `pages/${page.id}`)).json!.body).toBe('Rewritten in my editor.\n');
    expect(running.output()).toContain(`updated ${page.id}`);
  });
});
