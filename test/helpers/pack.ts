/**
 * `npm pack` of a workspace package, as `npm publish` would pack it (prepack and postpack run),
 * from a copy under test/.tmp/: packing may rewrite the package's manifest for a moment, and other
 * suites running at the same time must keep seeing the workspace one. The copy stays inside the
 * workspace so that its pack scripts find the workspace's tools (typescript).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import ts from 'typescript';
import { join } from 'node:path';
import { PROJECT_ROOT, TMP } from './site-build.ts';

export interface Packed {
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** The copy that was packed. */
  copy: string;
}

export function packWorkspacePackage(name: 'astro-loader-confluence' | 'confluence-stand-in', work: string = join(TMP, `pack-${name}`)): Packed {
  const copy = join(work, 'copy');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const source = join(PROJECT_ROOT, 'packages', name);
  // What is packed: not the installed dependencies, nor the package's own tests.
  cpSync(source, copy, { recursive: true, filter: (path) => !path.includes('node_modules') && !path.startsWith(join(source, 'test')) });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[];
  return { tarball: join(work, filename), copy };
}

/**
 * `npm install` in a folder outside the workspace, from the registry: `--prefer-offline` takes
 * what npm's cache already holds, so a repeated run (and CI on the same machine) is fast.
 */
export function npmInstall(cwd: string, specs: string[]): void {
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // The npm scripts of the installed packages (sharp, esbuild) run on the Node this suite runs on.
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

/** The version of a package installed in the workspace, to install the same one elsewhere. */
export function workspaceVersion(name: string): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The bare imports (static, dynamic, `import("x")` types) of an installed package's JavaScript,
 * declarations and Astro components that its manifest does not declare, with the number checked.
 */
export function undeclaredImports(installed: string): { undeclared: string[]; checked: number } {
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { name: string; dependencies?: object; peerDependencies?: object };
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const undeclared: string[] = [];
  let checked = 0;
  const files = readdirSync(installed, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /\.(js|d\.ts|astro)$/.test(e.name));
  for (const entry of files) {
    const file = join(entry.parentPath, entry.name);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      checked++;
      // `virtual:<name>/…` is a module the package's own Vite plugin serves (starlight/plugin.ts).
      if (fileName.startsWith('.') || fileName.startsWith('node:') || fileName.startsWith('astro:') || fileName === pkg.name || fileName.startsWith(`${pkg.name}/`) || fileName.startsWith(`virtual:${pkg.name}/`)) continue;
      if (!declared.has(packageOf(fileName))) undeclared.push(`${file.slice(installed.length + 1)}: ${fileName}`);
    }
  }
  return { undeclared, checked };
}
