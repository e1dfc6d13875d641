/**
 * The loader's folders are its pipeline stages (architecture.md), and these rules keep them so:
 * - the cores (`rewrite/`, `export/`, `discover/`, `sync/`) never import `remote/` or Astro;
 * - only `loader.ts`, `schema.ts` and `starlight/` import Astro or Starlight;
 * - nothing in the package imports the stand-in;
 * - no import cycles, between files or between stages.
 * Imports are read with TypeScript's own pre-processor (and from the frontmatter and scripts of
 * `.astro` components), not with a regular expression.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../packages/astro-loader-confluence/src');

interface Graph {
  /** File (relative to src/, POSIX) → the specifiers it imports: relative ones resolved to files, bare ones as written. */
  imports: Map<string, { local: string[]; bare: string[] }>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|astro)$/.test(entry.name) ? [path] : [];
  });
}

/** The TypeScript of a file: an `.astro` component's frontmatter and `<script>` bodies. */
function scriptOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.astro')) return text;
  const frontmatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '';
  const scripts = [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  return [frontmatter, ...scripts].join('\n');
}

function readGraph(): Graph {
  const imports = new Map<string, { local: string[]; bare: string[] }>();
  for (const path of sourceFiles(SRC)) {
    const info = ts.preProcessFile(scriptOf(path), true, true);
    const local: string[] = [];
    const bare: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(path), fileName)).split('\\').join('/');
        // package.json (the version) lies outside src/ and is no stage.
        if (!target.startsWith('..')) local.push(target);
      } else bare.push(fileName);
    }
    imports.set(relative(SRC, path).split('\\').join('/'), { local, bare });
  }
  return { imports };
}

/** The stage a file belongs to: its folder under src/, or the file itself at the top. */
function stageOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : file;
}

const CORES = ['rewrite', 'export', 'discover', 'sync'];
const ASTRO = /^(?:astro(?:\/|$)|astro:|@astrojs\/)/;
const MAY_IMPORT_ASTRO = (file: string) => file === 'loader.ts' || file === 'schema.ts' || file.startsWith('starlight/');

/** Every rule the graph breaks, one readable line each; empty when the layout holds. */
function layoutViolations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, { local, bare }] of graph.imports) {
    const stage = stageOf(file);
    for (const spec of bare) {
      if (ASTRO.test(spec) && !MAY_IMPORT_ASTRO(file)) out.push(`${file} imports ${spec}: only loader.ts, schema.ts and starlight/ may import Astro or Starlight`);
      if (spec === 'confluence-stand-in' || spec.startsWith('confluence-stand-in/')) out.push(`${file} imports the stand-in (${spec})`);
    }
    for (const target of local) {
      if (target.includes('confluence-stand-in')) out.push(`${file} imports the stand-in (${target})`);
      if (CORES.includes(stage) && stageOf(target) === 'remote') out.push(`${file} imports ${target}: the ${stage}/ core must not reach remote/`);
    }
  }
  out.push(...cycles(graph.imports, (file) => file).map((cycle) => `import cycle between files: ${cycle.join(' → ')}`));
  out.push(...cycles(graph.imports, stageOf).map((cycle) => `import cycle between stages: ${cycle.join(' → ')}`));
  return out;
}

/** Cycles of the graph with every node mapped by `unit` (files, or stages), each as a path back to its start. */
function cycles(imports: Graph['imports'], unit: (file: string) => string): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const [file, { local }] of imports) {
    const from = unit(file);
    const set = edges.get(from) ?? new Set();
    edges.set(from, set);
    for (const target of local) if (unit(target) !== from) set.add(unit(target));
  }
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  // Iterative depth-first search: a long chain of imports must not overflow the stack.
  for (const startNode of edges.keys()) {
    if (state.has(startNode)) continue;
    const path: string[] = [];
    const stack: { node: string; next: Iterator<string> }[] = [{ node: startNode, next: (edges.get(startNode) ?? new Set()).values() }];
    state.set(startNode, 'open');
    path.push(startNode);
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const step = top.next.next();
      if (step.done) {
        state.set(top.node, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const next = step.value;
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) {
        state.set(next, 'open');
        path.push(next);
        stack.push({ node: next, next: (edges.get(next) ?? new Set()).values() });
      }
    }
  }
  return found;
}

/** A made-up graph: package specifiers as written, files relative to src/. */
const PACKAGE = /^(?:astro|@astrojs|confluence-stand-in)/;
const graphOf = (files: Record<string, string[]>): Graph => ({
  imports: new Map(Object.entries(files).map(([file, specs]) => [
    file,
    { local: specs.filter((spec) => !PACKAGE.test(spec)), bare: specs.filter((spec) => PACKAGE.test(spec)) },
  ])),
});

describe('the loader package layout', () => {
  const graph = readGraph();

  it('reads the imports of every file, .astro components included', () => {
    expect(graph.imports.size).toBeGreaterThan(40);
    expect(graph.imports.get('starlight/components/ThemeSelect.astro')?.bare).toContain('@astrojs/starlight/components/ThemeSelect.astro');
    expect(graph.imports.get('loader.ts')?.local).toContain('pipeline.ts');
  });

  it('keeps every rule: cores apart from remote/ and Astro, Astro only at the edge, no stand-in, no cycles', () => {
    expect(layoutViolations(graph)).toEqual([]);
  });

  it('has a folder for every stage, each main file saying what it takes in and gives out', () => {
    const stages = new Set([...graph.imports.keys()].filter((file) => file.includes('/')).map(stageOf));
    expect([...stages].sort()).toEqual(['cli', 'config', 'discover', 'export', 'remote', 'rewrite', 'sources', 'starlight', 'sync']);
    const main: Record<string, string> = {
      config: 'options.ts', remote: 'http-client.ts', discover: 'space-tree.ts', export: 'plan.ts', sources: 'sources.ts',
      sync: 'sync.ts', rewrite: 'index.ts', starlight: 'plugin.ts', cli: 'index.ts',
    };
    for (const stage of stages) {
      const first = readFileSync(join(SRC, stage, main[stage]!), 'utf8').replace(/^#!.*\n/, '').split('\n')[0];
      expect(first, `${stage}/${main[stage]}`).toMatch(new RegExp(`^// (?:Stage )?${stage}: .+ in → .+ out\\.$`));
    }
  });
});

describe('the layout rules catch what breaks them', () => {
  it('a core that imports remote/', () => {
    expect(layoutViolations(graphOf({ 'rewrite/links.ts': ['remote/http-client.ts'], 'remote/http-client.ts': [] }))).toEqual([
      'rewrite/links.ts imports remote/http-client.ts: the rewrite/ core must not reach remote/',
    ]);
  });

  it('Astro imported outside loader.ts, schema.ts and starlight/', () => {
    expect(layoutViolations(graphOf({ 'sync/sync.ts': ['astro:content'], 'starlight/plugin.ts': ['@astrojs/starlight/types'], 'loader.ts': ['astro/loaders'] }))).toEqual([
      'sync/sync.ts imports astro:content: only loader.ts, schema.ts and starlight/ may import Astro or Starlight',
    ]);
  });

  it('the stand-in imported', () => {
    expect(layoutViolations(graphOf({ 'pipeline.ts': ['confluence-stand-in'] }))).toEqual(['pipeline.ts imports the stand-in (confluence-stand-in)']);
  });

  it('a cycle between two files, and the cycle between stages it makes', () => {
    const violations = layoutViolations(graphOf({ 'remote/http-client.ts': ['remote/token-provider.ts'], 'remote/token-provider.ts': ['remote/http-client.ts'], 'sync/sync.ts': ['sources/snapshot.ts'], 'sources/snapshot.ts': ['sync/raw-cache.ts'], 'sync/raw-cache.ts': [] }));
    expect(violations).toEqual([
      'import cycle between files: remote/http-client.ts → remote/token-provider.ts → remote/http-client.ts',
      'import cycle between stages: sync → sources → sync',
    ]);
  });
});
