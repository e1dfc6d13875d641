/**
 * `memory.export_10k_peak_mb`: peak RSS of a process that exports and rewrites a 10,000-page space.
 * The stand-in runs in a process of its own (its CLI), so only the loader's memory is counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, EXCLUDED_LABEL, note, ROOT } from './common.ts';

export interface MemoryFigures {
  export_10k_peak_mb: number;
  space: string;
  pages: number;
  export_calls: number;
  ms: number;
}

export async function measureMemory(pages: number): Promise<MemoryFigures> {
  const space = `balanced-${pages}`;
  note(`memory: exporting and rewriting ${space} in a child process`);
  const standIn = spawn(process.execPath, [join(ROOT, 'packages/confluence-stand-in/src/cli.ts'), '--generate', String(pages), '--shape', 'balanced', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const vars = await standInVariables(standIn);
    const output = await runChild(join(ROOT, 'bench/memory-child.ts'), cleanEnv({ ...vars, CONFLUENCE_EXCLUDE_LABELS: EXCLUDED_LABEL }));
    const figures = JSON.parse(output.trim().split('\n').at(-1)!) as { pages: number; exportCalls: number; ms: number; peakMb: number };
    return { export_10k_peak_mb: figures.peakMb, space, pages: figures.pages, export_calls: figures.exportCalls, ms: figures.ms };
  } finally {
    standIn.kill('SIGTERM');
  }
}

/** The CLI prints `export CONFLUENCE_…=…` lines once it listens; the access-token flavour is enough. */
function standInVariables(child: ChildProcess): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk;
      if (!text.includes('Press Ctrl-C')) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      const vars: Record<string, string> = {};
      for (const m of text.matchAll(/^export (CONFLUENCE_(?:SITE|SPACE_KEY|EXPORT_URL|API_URL|ACCESS_TOKEN))=(.*)$/gm)) vars[m[1]!] = m[2]!;
      resolve(vars);
    };
    child.stdout!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`The stand-in exited (code ${code}) before it listened:\n${text}`)));
  });
}

function runChild(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} failed (code ${code}):\n${err}${out}`))));
  });
}
