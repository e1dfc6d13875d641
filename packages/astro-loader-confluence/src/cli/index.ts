#!/usr/bin/env node
// cli: command-line arguments in → checks (doctor), credentials (auth), files (export, snapshot) and an exit code out.
/**
 * `confluence-export`: the loader's command line. Subcommands live in cli/; this file picks one,
 * and turns what it throws into a message and an exit code (0 ok, 1 failure, 2 usage error).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfluenceLoaderError, formatError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { EXIT, UsageError } from './args.ts';
import { AUTH_HELP, authCommand } from './auth.ts';
import { DOCTOR_HELP, doctorCommand } from './doctor.ts';
import { EXPORT_HELP, exportCommand } from './export.ts';
import { createReporter, type Reporter, type Stream } from './reporter.ts';
import { SNAPSHOT_HELP, snapshotCommand } from './snapshot.ts';

const HELP = `Usage: confluence-export <command> [options]

Publish-side tools for astro-loader-confluence (Markdown Exporter for Confluence).

Commands:
  doctor           check the configuration, token, app API and REST scopes; say what to fix
  auth             run the OAuth 2.0 flow and write the credentials to .env.confluence (0600)
  export <dir>     write the space as Markdown files with their attachments
  snapshot <dir>   save the raw exports and a manifest, to build a site from offline

Options:
  -h, --help       show help (also: confluence-export <command> --help)
  -v, --version    show the version

Every command reads the CONFLUENCE_* variables the site build reads (\`confluence-export doctor\`
lists them; the package README says what each means), from the environment or from
--env-file <path>. doctor, export and snapshot take --json: one JSON document on stdout, the
human text on stderr. Exit codes: 0 ok, 1 failure, 2 usage error.`;

const COMMANDS: Record<string, { run: (args: string[], reporter: Reporter) => Promise<number>; help: string }> = {
  doctor: { run: doctorCommand, help: DOCTOR_HELP },
  auth: { run: authCommand, help: AUTH_HELP },
  export: { run: exportCommand, help: EXPORT_HELP },
  snapshot: { run: snapshotCommand, help: SNAPSHOT_HELP },
};

export async function main(argv: string[], io: { stdout: Stream; stderr: Stream; env: Record<string, string | undefined> }): Promise<number> {
  const [first, ...rest] = argv;
  // Decided before parsing, so that even a usage error is answered in JSON when JSON was asked for.
  const json = first !== undefined && JSON_COMMANDS.has(first) && rest.includes('--json');
  const reporter = createReporter(io.stdout, io.stderr, io.env, { json });
  try {
    if (first === undefined || first === '-h' || first === '--help') {
      reporter.out(HELP);
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '-v' || first === '--version') {
      reporter.out(VERSION);
      return EXIT.ok;
    }
    if (first === 'help') {
      const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
      if (rest[0] !== undefined && !topic) throw new UsageError(`Unknown command "${rest[0]}".`);
      reporter.out(topic?.help ?? HELP);
      return EXIT.ok;
    }
    const command = COMMANDS[first];
    if (!command) throw new UsageError(`Unknown command "${first}".`);
    return await command.run(rest, reporter);
  } catch (error) {
    reporter.endProgress();
    if (error instanceof UsageError) {
      reporter.info(`confluence-export: ${error.message}`);
      reporter.info(`Run \`confluence-export ${error.command ? `${error.command} ` : ''}--help\` for usage.`);
      reporter.result({ command: first, ok: false, error: { name: 'UsageError', message: error.message } });
      return EXIT.usage;
    }
    reporter.info(`confluence-export: ${formatError(error)}`);
    if (!(error instanceof ConfluenceLoaderError) && io.env.DEBUG && error instanceof Error && error.stack) reporter.info(error.stack);
    reporter.result({ command: first, ok: false, error: errorDocument(error) });
    return EXIT.failure;
  }
}

/** The commands that take `--json`. */
const JSON_COMMANDS = new Set(['doctor', 'export', 'snapshot']);

function errorDocument(error: unknown): { name: string; message: string; hint?: string } {
  if (error instanceof ConfluenceLoaderError) return { name: error.name, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { name: error instanceof Error ? error.name : 'Error', message: formatError(error) };
}

// Run when executed (directly or through the npm bin symlink), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
