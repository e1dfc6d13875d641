/**
 * `confluence-export snapshot <dir>`: the raw exports of every published page plus a manifest,
 * written by the loader's own `writeSnapshot` (atomically; restricted and excluded pages never go
 * in), so the folder can be committed and a site built from it offline (CONFLUENCE_SNAPSHOT).
 */
import { join } from 'node:path';
import { MANIFEST, readManifest } from '../sources/snapshot.ts';
import { EXIT, sharedFlagHelp } from './args.ts';
import { syncOptions, withSync } from './config.ts';
import { parseFolderCommand, refuseForeignFolder } from './folder-command.ts';
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
  --cache-dir <path>        keep the raw cache here between runs: unchanged pages are not
                            exported again (default: a temporary folder)
  --report <file>           write a JSON sync report there (CONFLUENCE_REPORT); on GitHub
                            Actions a summary also goes to $GITHUB_STEP_SUMMARY
  --json                    print the result as one JSON document on stdout
  -h, --help                show this help

Examples:
  confluence-export snapshot snapshots/v1.2 --env-file .env.confluence
  CONFLUENCE_SPACE_KEY=DOCS confluence-export snapshot snapshots/$(date +%F)`;

export async function snapshotCommand(args: string[], reporter: Reporter): Promise<number> {
  const command = await parseFolderCommand('snapshot', args, SNAPSHOT_HELP, reporter, 'Name the folder to write the snapshot to: confluence-export snapshot <dir>.');
  if (!command) return EXIT.ok;
  const dir = command.dir;
  const options = syncOptions(command.env, 'snapshot', { ...command.overrides, writeSnapshot: dir });
  await refuseForeignFolder(dir, MANIFEST, 'confluence-export snapshot');
  await withSync(options, reporter, {
    cacheDir: command.cacheDir,
    contentDir: join(dir, '.virtual'),
    base: '/',
  }, async () => undefined);
  const manifest = await readManifest(dir);
  reporter.out(`Snapshot of ${manifest.pages.length} pages written to ${dir} (taken ${manifest.takenAt}, ${manifest.exportCalls} export calls).`);
  reporter.out(`Build a site from it offline: CONFLUENCE_SNAPSHOT=${command.given} npm run build`);
  reporter.result({ command: 'snapshot', ok: true, dir, pages: manifest.pages.length, exportCalls: manifest.exportCalls, takenAt: manifest.takenAt });
  return EXIT.ok;
}

