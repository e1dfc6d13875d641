#!/usr/bin/env node
/**
 * `confluence-stand-in`: serve a space on 127.0.0.1 as the Markdown Exporter app and Confluence
 * REST would, and print the variables that point astro-loader-confluence at it. The space is the
 * bundled demo, a folder kept as files (followed while served), or a generated one.
 */
import { resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { demoSpace, readSpaceDir } from './demo.ts';
import { generateSpace, type SpaceShape } from './generate.ts';
import { loaderEnv } from './loader-env.ts';
import { start, type StandIn } from './server.ts';
import { Space, type SpaceSpec } from './space.ts';
import { watchSpaceDir } from './watch.ts';

export const HELP = `Usage: confluence-stand-in [options]

A local stand-in for Confluence Cloud and the Markdown Exporter app: develop and test a site built
with astro-loader-confluence offline, in CI, without a Confluence. Prints the CONFLUENCE_*
variables that point the loader at it.

What to serve (the bundled demo space by default):
  --dir <folder>            a space kept as files (space.json, page bodies, attachments), followed:
                            an edited file is a new page version at once
  --generate <n>            a generated space of n pages
  --shape <shape>           its shape: balanced (default), deep, flat or mixed
  --seed <n>                its seed (default 1): the same seed gives the same space

Server:
  --port <n>                port on 127.0.0.1 (default 4010; 0 picks a free one)
  --latency-ms <n>          delay every export and REST answer by n ms
  --fault-rate <r>          fail this fraction (0..1) of export and REST calls with 429/5xx
  --fault-seed <n>          seed of the faults (default 1), to replay a run
  --no-rest-scopes          tokens carry no Confluence REST scopes (the loader's fallback path)
  --env                     print only the export lines, for eval "$(confluence-stand-in --env)"
  -h, --help                show this help

Change a page while it runs: edit its file (with --dir), or over HTTP:
  curl -X PUT http://127.0.0.1:4010/_admin/pages/<id> -d '{"body":"New text"}'
  (GET /_admin/pages lists the pages; POST adds one; DELETE removes one.)`;

const SHAPES = ['balanced', 'deep', 'flat', 'mixed'];

export class UsageError extends Error {}

export interface CliOptions {
  port: number;
  space: SpaceSpec;
  dir?: string;
  latencyMs: number;
  faultRate: number;
  faultSeed: number;
  restScopes: boolean;
  envOnly: boolean;
}

function whole(name: string, raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new UsageError(`--${name} must be a whole number, not "${raw}".`);
  return Number(raw);
}

/** The command line as options, or undefined for --help. */
export function parseCli(args: string[]): CliOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        dir: { type: 'string' },
        generate: { type: 'string' },
        shape: { type: 'string' },
        seed: { type: 'string' },
        'latency-ms': { type: 'string' },
        'fault-rate': { type: 'string' },
        'fault-seed': { type: 'string' },
        'no-rest-scopes': { type: 'boolean' },
        env: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  if (values.dir && values.generate) throw new UsageError('Give --dir or --generate, not both.');
  if (values.shape && !values.generate) throw new UsageError('--shape goes with --generate <n>.');
  const shape = values.shape ?? 'balanced';
  if (!SHAPES.includes(shape)) throw new UsageError(`--shape must be one of ${SHAPES.join(', ')}, not "${shape}".`);
  const faultRate = values['fault-rate'] === undefined ? 0 : Number(values['fault-rate']);
  if (!(faultRate >= 0 && faultRate <= 1)) throw new UsageError(`--fault-rate must be a number from 0 to 1, not "${values['fault-rate']}".`);
  let space: SpaceSpec;
  const dir = values.dir ? resolve(values.dir) : undefined;
  if (dir) {
    try {
      space = readSpaceDir(dir);
    } catch (error) {
      throw new UsageError(`${dir} does not hold a space kept as files (${(error as Error).message}). See the README's "The stand-in server" for the format.`);
    }
  } else if (values.generate) {
    space = generateSpace({ shape: shape as SpaceShape, size: whole('generate', values.generate, 0, 100_000), seed: whole('seed', values.seed, 1) });
  } else {
    space = demoSpace();
  }
  return {
    port: whole('port', values.port, 4010, 65_535),
    space,
    dir,
    latencyMs: whole('latency-ms', values['latency-ms'], 0),
    faultRate,
    faultSeed: whole('fault-seed', values['fault-seed'], 1),
    restScopes: !values['no-rest-scopes'],
    envOnly: Boolean(values.env),
  };
}

/** The lines that point the loader at a running stand-in, as shell exports. */
export function exportLines(standIn: StandIn): string {
  return Object.entries(loaderEnv(standIn)).map(([name, value]) => `export ${name}=${value}`).join('\n');
}

function banner(s: StandIn, options: CliOptions): string {
  return `Confluence stand-in serving space ${s.space.key} (${s.space.size} pages${options.dir ? `, from ${options.dir}, followed` : ''}) at ${s.url}

Point the loader at it (paste into the shell that runs astro):

${exportLines(s)}

Or the OAuth refresh flow instead of the access token:

export CONFLUENCE_AUTH_URL=${s.authUrl}
export CONFLUENCE_CLIENT_ID=${s.oauth.clientId}
export CONFLUENCE_CLIENT_SECRET=${s.oauth.clientSecret}
export CONFLUENCE_REFRESH_TOKEN=${s.oauth.refreshToken}

Change a page: curl -X PUT ${s.url}/_admin/pages/<id> -d '{"body":"New text"}'   (list: ${s.url}/_admin/pages)
Press Ctrl-C to stop.`;
}

export async function main(args: string[]): Promise<number> {
  let options: CliOptions | undefined;
  try {
    options = parseCli(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`confluence-stand-in: ${error.message}\nRun \`confluence-stand-in --help\` for usage.`);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const space = new Space(options.space);
  const s = await start({
    port: options.port,
    space,
    restScopes: options.restScopes,
    latency: { exportMs: options.latencyMs, restMs: options.latencyMs },
    faults: options.faultRate > 0 ? { rate: options.faultRate, seed: options.faultSeed } : undefined,
  });
  console.log(options.envOnly ? exportLines(s) : banner(s, options));
  const watcher = options.dir
    ? watchSpaceDir(options.dir, space, (changes) => {
        if (changes instanceof Error) console.error(`confluence-stand-in: not applied: ${changes.message}`);
        else if (changes.updated.length + changes.added.length + changes.deleted.length > 0) {
          console.error(`confluence-stand-in: ${[['updated', changes.updated], ['added', changes.added], ['deleted', changes.deleted]].filter(([, ids]) => ids!.length > 0).map(([what, ids]) => `${what} ${(ids as string[]).join(', ')}`).join('; ')}`);
        }
      })
    : undefined;
  await new Promise<void>((done) => {
    const shutdown = () => {
      watcher?.close();
      void s.stop().then(done);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}

// Run when executed (directly or through the npm bin symlink), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
