/**
 * What `export` and `snapshot` share: one folder argument, the sync flags, and the rule that a
 * folder is replaced whole only if this tool wrote it.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Env } from '../config/env-options.ts';
import { intFlag, parse, UsageError } from './args.ts';
import { envFor } from './config.ts';
import type { Reporter } from './reporter.ts';

export interface FolderCommand {
  /** The folder, absolute. */
  dir: string;
  /** The folder as the user wrote it, for messages. */
  given: string;
  cacheDir?: string;
  env: Env;
  overrides: { includeAttachments?: boolean; concurrency?: number };
  /** The rest of the flags, for what a command adds of its own. */
  values: Record<string, string | boolean | undefined>;
}

/** Parses the command line; undefined when `--help` was asked for (and printed). */
export async function parseFolderCommand(
  command: 'export' | 'snapshot',
  args: string[],
  help: string,
  reporter: Reporter,
  missing: string,
  own: NonNullable<Parameters<typeof parse>[2]> = {},
): Promise<FolderCommand | undefined> {
  const { values, positionals } = parse(command, args, {
    concurrency: { type: 'string' },
    'no-attachments': { type: 'boolean' },
    'cache-dir': { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    ...own,
  }, { confluence: true, positionals: 1 });
  if (values.help) {
    reporter.out(help);
    return undefined;
  }
  if (!positionals[0]) throw new UsageError(missing, command);
  return {
    dir: resolve(positionals[0]),
    given: positionals[0],
    cacheDir: values['cache-dir'] as string | undefined,
    env: { ...(await envFor(values)), ...(typeof values.report === 'string' ? { CONFLUENCE_REPORT: values.report } : {}) },
    overrides: {
      includeAttachments: values['no-attachments'] ? false : undefined,
      concurrency: values.concurrency === undefined ? undefined : intFlag(values, 'concurrency', command, 4, 1, 32),
    },
    values,
  };
}

/**
 * The command replaces `dir` whole: never let that delete a folder it did not write (`marker` is
 * the file it leaves in every folder it writes).
 */
export async function refuseForeignFolder(dir: string, marker: string, writer: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!(await stat(dir)).isDirectory()) throw new ConfigError(`${dir} exists and is not a folder.`, { hint: 'Name a new folder.' });
  if ((await readdir(dir)).length > 0 && !existsSync(join(dir, marker))) {
    throw new ConfigError(`${dir} is not empty and holds no ${marker}, so it was not written by \`${writer}\`; writing there would replace its contents.`, {
      hint: 'Name a new or empty folder.',
    });
  }
}
