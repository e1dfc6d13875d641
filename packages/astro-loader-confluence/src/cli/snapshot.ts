/**
 * `confluence-export snapshot <dir>`: the raw exports of every published page plus a manifest,
 * written by the loader's own `writeSnapshot` (atomically; restricted and excluded pages never go
 * in), so the folder can be committed and a site built from it offline (CONFLUENCE_SNAPSHOT).
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { MANIFEST, readManifest } from '../snapshot.ts';
import { EXIT, intFlag, parse, sharedFlagHelp, UsageError } from './args.ts';
import { envFor, syncOptions, withSync } from './config.ts';
import type { Reporter } from './reporter.ts';

export const SNAPSHOT_HELP = `Usage: confluence-export snapshot <dir> [options]

Saves the raw exports of every published page and a manifest.json (page tree, versions, time,
tool version) into <dir>, written atomically: a failed run leaves the previous snapshot whole.
Restricted and excluded pages never go in, so the folder can be committed. Build a site from it
offline with CONFLUENCE_SNAPSHOT=<dir> npm run build.

Options:
${sharedFlagHelp()}
  --concurrency <n>         export calls in flight at once (default 4)
  --no-attachments          leave attachments out
  --cache-dir <path>        keep the raw cache here between runs (default: a temporary folder)
  -h, --help                show this help

Examples:
  confluence-export snapshot snapshots/v1.2 --env-file .env.confluence
  CONFLUENCE_SPACE_KEY=DOCS confluence-export snapshot snapshots/$(date +%F)`;

export async function snapshotCommand(args: string[], reporter: Reporter): Promise<number> {
  const { values, positionals } = parse('snapshot', args, {
    concurrency: { type: 'string' },
    'no-attachments': { type: 'boolean' },
    'cache-dir': { type: 'string' },
  }, { confluence: true, positionals: 1 });
  if (values.help) {
    reporter.out(SNAPSHOT_HELP);
    return EXIT.ok;
  }
  if (!positionals[0]) throw new UsageError('Name the folder to write the snapshot to: confluence-export snapshot <dir>.', 'snapshot');
  const dir = resolve(positionals[0]);
  const options = syncOptions(await envFor(values), 'snapshot', {
    writeSnapshot: dir,
    includeAttachments: values['no-attachments'] ? false : undefined,
    concurrency: values.concurrency === undefined ? undefined : intFlag(values, 'concurrency', 'snapshot', 4, 1, 32),
  });
  await refuseForeignFolder(dir);
  await withSync(options, reporter, {
    cacheDir: values['cache-dir'] as string | undefined,
    contentDir: join(dir, '.virtual'),
    base: '/',
  }, async () => undefined);
  const manifest = await readManifest(dir);
  reporter.out(`Snapshot of ${manifest.pages.length} pages written to ${dir} (taken ${manifest.takenAt}, ${manifest.exportCalls} export calls).`);
  reporter.out(`Build a site from it offline: CONFLUENCE_SNAPSHOT=${positionals[0]} npm run build`);
  return EXIT.ok;
}

/** The snapshot replaces `dir` whole: never let that delete a folder that is not a snapshot. */
async function refuseForeignFolder(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!(await stat(dir)).isDirectory()) {
    throw new ConfigError(`${dir} exists and is not a folder.`, { hint: 'Name a new folder (or an earlier snapshot to replace).' });
  }
  if ((await readdir(dir)).length > 0 && !existsSync(join(dir, MANIFEST))) {
    throw new ConfigError(`${dir} is not empty and holds no ${MANIFEST}, so it is not an earlier snapshot; writing there would replace its contents.`, {
      hint: 'Name a new or empty folder, e.g. snapshots/<version>.',
    });
  }
}
