/**
 * `npm pack` / `npm publish` for the stand-in, as for the loader (its scripts/pack.mjs): Node will
 * not strip types under node_modules, so `prepack` compiles src/ to dist/ and points the manifest
 * at it; `postpack` puts the workspace manifest back.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const backup = join(root, '.package.workspace.json');

function prepack() {
  if (existsSync(backup)) throw new Error(`${backup} exists: a previous pack did not finish. Restore it as package.json first.`);
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  renameSync(manifest, backup);
  pkg.exports = { '.': { types: './dist/index.d.ts', default: './dist/index.js' } };
  pkg.bin = { 'confluence-stand-in': './dist/cli.js' };
  pkg.files = ['dist', 'demo', 'README.md', 'LICENSE'];
  delete pkg.scripts;
  delete pkg.devDependencies;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}

function postpack() {
  if (existsSync(backup)) renameSync(backup, manifest);
  rmSync(join(root, 'dist'), { recursive: true, force: true });
}

const step = process.argv[2];
if (step === 'prepack') prepack();
else if (step === 'postpack') postpack();
else throw new Error('Usage: node scripts/pack.mjs prepack|postpack');
