/**
 * `npm pack` / `npm publish` for the loader. In the workspace the package runs from its TypeScript
 * source (Node 24 strips types, Vite compiles it in Astro), but Node refuses to strip types under
 * node_modules, so what is published is JavaScript: `prepack` compiles src/ to dist/, copies the
 * Astro components and points package.json at dist/; `postpack` puts the workspace manifest back.
 *
 * Only the declarations the entry points reach are published: the internal stages' `.d.ts` would
 * import types (mdast, unist, vfile, undici) from packages a user's project need not have.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const backup = join(root, '.package.workspace.json');

function prepack() {
  if (existsSync(backup)) throw new Error(`${backup} exists: a previous pack did not finish. Restore it as package.json first.`);
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  cpSync(join(root, 'src', 'starlight', 'components'), join(root, 'dist', 'starlight', 'components'), { recursive: true });

  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  renameSync(manifest, backup);
  const entry = (name) => ({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
  pkg.exports = {
    '.': entry('index'),
    './starlight': entry('starlight/plugin'),
    './env': entry('config/env-options'),
    './sidebar-middleware': entry('starlight/sidebar-middleware'),
    './components/*': './dist/starlight/components/*',
  };
  pkg.bin = { 'confluence-export': './dist/cli/index.js' };
  pkg.files = ['dist', 'README.md', 'LICENSE'];
  pruneDeclarations(require('typescript'), Object.values(pkg.exports).flatMap((target) => (typeof target === 'object' ? [join(root, target.types)] : [])));
  delete pkg.scripts;
  delete pkg.devDependencies;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Deletes every `.d.ts` under dist/ that no entry point's declarations import, directly or not. */
function pruneDeclarations(ts, entries) {
  const program = ts.createProgram(entries, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, types: [] });
  const reached = new Set(program.getSourceFiles().map((file) => resolve(file.fileName)));
  const dist = join(root, 'dist');
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && entry.name.endsWith('.d.ts') && !reached.has(path)) rmSync(path);
  }
}

function postpack() {
  if (existsSync(backup)) renameSync(backup, manifest);
  rmSync(join(root, 'dist'), { recursive: true, force: true });
}

const step = process.argv[2];
if (step === 'prepack') prepack();
else if (step === 'postpack') postpack();
else throw new Error('Usage: node scripts/pack.mjs prepack|postpack');
