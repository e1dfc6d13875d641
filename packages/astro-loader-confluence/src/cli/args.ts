/**
 * Command-line parsing for `confluence-export`: node:util `parseArgs` per subcommand, with the
 * flags that say what to publish and from where shared by every command that talks to Confluence.
 * A mistake on the command line is a UsageError (exit code 2), never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes: 0 everything worked, 1 something failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {
  /** The subcommand whose usage to point at, when known. */
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags that fill the CONFLUENCE_* variables of the same meaning (a flag wins over the variable). */
export const CONFLUENCE_FLAGS = {
  space: { type: 'string', variable: 'CONFLUENCE_SPACE_KEY', help: 'space key to publish (CONFLUENCE_SPACE_KEY)' },
  'root-page': { type: 'string', variable: 'CONFLUENCE_ROOT_PAGE_ID', help: 'publish this page and its descendants instead (CONFLUENCE_ROOT_PAGE_ID)' },
  site: { type: 'string', variable: 'CONFLUENCE_SITE', help: 'your site host, e.g. acme.atlassian.net (CONFLUENCE_SITE)' },
  'cloud-id': { type: 'string', variable: 'CONFLUENCE_CLOUD_ID', help: 'skip the cloud id look-up (CONFLUENCE_CLOUD_ID)' },
  environment: { type: 'string', variable: 'CONFLUENCE_ENV', help: 'production (default), staging or development (CONFLUENCE_ENV)' },
  'exclude-labels': { type: 'string', variable: 'CONFLUENCE_EXCLUDE_LABELS', help: 'comma-separated labels never to publish (CONFLUENCE_EXCLUDE_LABELS)' },
} as const;

const SHARED: Options = {
  help: { type: 'boolean', short: 'h' },
  'env-file': { type: 'string' },
  ...Object.fromEntries(Object.entries(CONFLUENCE_FLAGS).map(([name, flag]) => [name, { type: flag.type }])),
};

export type Values = Record<string, string | boolean | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** Parses a subcommand's arguments; `confluence` adds the shared CONFLUENCE_* flags. */
export function parse(command: string, args: string[], own: Options, options: { confluence?: boolean; positionals?: number } = {}): Parsed {
  const config: Options = { ...(options.confluence ? SHARED : { help: SHARED.help!, 'env-file': SHARED['env-file']! }), ...own };
  let parsed;
  try {
    parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs says e.g. "Unknown option '--spcae'": precise enough to show as is.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), command);
  }
  const values = parsed.values as Values;
  if (!values.help && parsed.positionals.length > (options.positionals ?? 0)) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[options.positionals ?? 0]}".`, command);
  }
  return { values, positionals: parsed.positionals };
}

/** The CONFLUENCE_* variables the flags set. Naming a space drops a root page from elsewhere, and vice versa. */
export function flagVariables(values: Values): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, flag] of Object.entries(CONFLUENCE_FLAGS)) {
    const value = values[name];
    if (typeof value === 'string') out[flag.variable] = value;
  }
  if (typeof values.space === 'string' && typeof values['root-page'] !== 'string') out.CONFLUENCE_ROOT_PAGE_ID = undefined;
  if (typeof values['root-page'] === 'string' && typeof values.space !== 'string') out.CONFLUENCE_SPACE_KEY = undefined;
  return out;
}

/** A whole number flag, or a UsageError naming it. */
export function intFlag(values: Values, name: string, command: string, fallback: number, min = 0, max = 65_535): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${String(raw)}".`, command);
  }
  return n;
}

/** The help lines of the shared flags. */
export function sharedFlagHelp(): string {
  const rows = [
    ...Object.entries(CONFLUENCE_FLAGS).map(([name, flag]) => [`--${name} <value>`, flag.help] as const),
    ['--env-file <path>', 'read CONFLUENCE_* variables from a dotenv file first (e.g. .env.confluence)'] as const,
  ];
  return rows.map(([flag, help]) => `  ${flag.padEnd(26)}${help}`).join('\n');
}
