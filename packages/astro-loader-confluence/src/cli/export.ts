/**
 * `confluence-export export <dir>`: the space (or page tree) as a folder of Markdown files, for
 * people who want files rather than a site. The pages go through the site's own pipeline (publish
 * filter, link and attachment rewriting), then links are pointed at the files (file-links.ts):
 *
 *   index.md                       the home page
 *   guides.md, guides/setup.md     a page, and its children in the folder of the same name
 *   guides/setup.attachments/x.png a page's attachments, beside it (slugs never contain a dot)
 *   .confluence-export.json        what was exported from where, page by page
 *
 * The folder is filled beside the target and swapped in whole, so it is never half-written.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { entryId, type PageEntry } from '../entries.ts';
import { replaceDirAtomic } from '../sync/fs-atomic.ts';
import type { ResolvedOptions } from '../config/options.ts';
import { safeName, type RawCache } from '../sync/raw-cache.ts';
import type { SyncOutcome } from '../sync/sync.ts';
import { VERSION } from '../version.ts';
import { EXIT, sharedFlagHelp, UsageError } from './args.ts';
import { syncOptions, withSync } from './config.ts';
import { parseFolderCommand, refuseForeignFolder } from './folder-command.ts';
import { EXPORT_BASE, relinkForFiles } from './file-links.ts';
import type { Reporter } from './reporter.ts';

export const EXPORT_MANIFEST = '.confluence-export.json';

export const EXPORT_HELP = `Usage: confluence-export export <dir> [options]

Writes every published page as a Markdown file (frontmatter: title, confluenceId, version,
lastUpdated) with its attachments beside it, links between pages and to attachments pointing at
the files relatively. Restricted and excluded pages are left out, exactly as on the site. The
folder is written atomically and replaced whole on the next run.

Options:
${sharedFlagHelp()}
  --concurrency <n>         export calls in flight at once (default 4)
  --no-attachments          leave attachments out
  --cache-dir <path>        keep the raw cache here between runs: unchanged pages are not
                            exported again (default: a temporary folder)
  --alerts <syntax>         how Confluence panels are written: gfm (default, > [!NOTE], read
                            by GitHub, GitLab, Obsidian…) or starlight (:::note asides)
  --report <file>           write a JSON sync report there (CONFLUENCE_REPORT); on GitHub
                            Actions a summary also goes to $GITHUB_STEP_SUMMARY
  --json                    print the result as one JSON document on stdout
  -h, --help                show this help

Example:
  confluence-export export ./docs-md --space DOCS --site acme.atlassian.net --env-file .env.confluence`;

export async function exportCommand(args: string[], reporter: Reporter): Promise<number> {
  const command = await parseFolderCommand('export', args, EXPORT_HELP, reporter, 'Name the folder to write the Markdown to: confluence-export export <dir>.', {
    alerts: { type: 'string' },
  });
  if (!command) return EXIT.ok;
  const alerts = command.values.alerts ?? 'gfm';
  if (alerts !== 'gfm' && alerts !== 'starlight') throw new UsageError(`--alerts must be gfm or starlight, not "${String(alerts)}".`, 'export');
  const target = command.dir;
  const options = syncOptions(command.env, 'export', command.overrides);
  await refuseForeignFolder(target, EXPORT_MANIFEST, 'confluence-export export');
  const written = await withSync(options, reporter, { cacheDir: command.cacheDir, contentDir: target, base: EXPORT_BASE, alerts }, async ({ result }) => {
    const entries = result.built!.entries;
    let files: ExportedFile[] = [];
    await replaceDirAtomic(target, async (temp) => {
      files = await writeExport(temp, target, entries, result.outcome, result.cache, options, reporter);
    });
    return { files, exportCalls: result.outcome.exportCalls, unresolvedLinks: result.built!.unresolved.length };
  });
  reporter.out(`Exported ${written.files.length} pages to ${target}`);
  reporter.result({
    command: 'export',
    ok: true,
    dir: target,
    pages: written.files.length,
    attachments: written.files.reduce((sum, file) => sum + file.attachments.length, 0),
    exportCalls: written.exportCalls,
    unresolvedLinks: written.unresolvedLinks,
    files: written.files,
  });
  return EXIT.ok;
}

interface ExportedFile {
  id: string;
  title: string;
  version: number;
  file: string;
  attachments: string[];
}

async function writeExport(temp: string, target: string, entries: PageEntry[], outcome: SyncOutcome, cache: RawCache, options: ResolvedOptions, reporter: Reporter): Promise<ExportedFile[]> {
  const fileOfPath = (path: string) => `${entryId(path)}.md`;
  const attachmentFolderOf = (pageId: string) => `${entryId(outcome.sitePaths.paths.get(pageId)!)}.attachments`;
  const cacheAttachments = join(cache.root, 'attachments') + sep;
  const idBySafeName = new Map([...outcome.decision.published].map((id) => [safeName(id), id]));
  const pages: ExportedFile[] = [];
  // Loaded here, not at start: the HTML parser and sanitiser are needed by this command only.
  const { sanitizeMarkdownHtml } = await import('../rewrite/markdown-html.ts');

  for (const entry of entries) {
    const id = entry.data.confluence.id;
    const file = `${entry.id}.md`;
    const here = posix.dirname(file);
    const fileLink = (to: string, anchor = '') => `${encodePath(posix.relative(here, to))}${anchor}`;
    const attachmentLink = (owner: string, fileName: string) =>
      outcome.decision.published.has(owner) && cache.hasAttachment(owner, fileName)
        ? fileLink(posix.join(attachmentFolderOf(owner), safeName(fileName)))
        : undefined;

    // The files are Markdown, rendered by whatever reads them: their raw HTML and link URLs get
    // the rules the site applies to its rendered HTML (rewrite/markdown-html.ts).
    const safe = sanitizeMarkdownHtml(entry.body, entry.context);
    for (const warning of safe.warnings) reporter.warn(warning);
    for (const link of safe.unresolved) reporter.warn(`Page ${link.fromPageId}: a link in raw HTML points at a page that is not published (${link.reason}); only its text is kept.`);
    const body = relinkForFiles(safe.markdown, (url) => {
      if (url.startsWith(EXPORT_BASE)) {
        const rest = url.slice(EXPORT_BASE.length);
        const attachment = /^_attachments\/([^/]+)\/([^/?#]+)$/.exec(rest);
        if (attachment) return attachmentLink(decode(attachment[1]!), decode(attachment[2]!));
        const [path = '', anchor] = rest.split('#', 2);
        return fileLink(fileOfPath(decode(path).replace(/\/$/, '')), anchor === undefined ? '' : `#${anchor}`);
      }
      // Images shown on a page point into the raw cache, relative to the page's file.
      if (/^[a-z][a-z0-9+.-]*:|^[/#]/i.test(url)) return undefined;
      const absolute = resolve(dirname(join(target, file)), decode(url));
      if (!absolute.startsWith(cacheAttachments)) return undefined;
      const [owner, name] = absolute.slice(cacheAttachments.length).split(sep);
      const ownerId = owner === undefined ? undefined : idBySafeName.get(owner);
      return ownerId && name ? attachmentLink(ownerId, name) : undefined;
    });

    await mkdir(dirname(join(temp, file)), { recursive: true });
    await writeFile(join(temp, file), `${frontmatter(entry)}${body}`);

    const names = (outcome.state.pages[id]?.attachments ?? []).filter((name) => cache.hasAttachment(id, name));
    for (const name of names) {
      const to = join(temp, attachmentFolderOf(id), safeName(name));
      await mkdir(dirname(to), { recursive: true });
      await copyFile(cache.attachmentPath(id, name), to);
    }
    pages.push({ id, title: entry.data.title, version: entry.data.confluence.version, file, attachments: names.map((name) => posix.join(attachmentFolderOf(id), safeName(name))) });
  }

  const manifest = {
    tool: `astro-loader-confluence@${VERSION}`,
    exportedAt: new Date().toISOString(),
    source: { site: options.site, spaceKey: options.spaceKey, rootPageId: options.rootPageId, snapshot: options.snapshot },
    pages,
  };
  await writeFile(join(temp, EXPORT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return pages;
}

/** YAML frontmatter; JSON strings are valid YAML scalars, so titles need no escaping rules of their own. */
function frontmatter(entry: PageEntry): string {
  const { data } = entry;
  const lines = [
    `title: ${JSON.stringify(data.title)}`,
    `confluenceId: ${JSON.stringify(data.confluence.id)}`,
    `version: ${data.confluence.version}`,
    ...(data.lastUpdated ? [`lastUpdated: ${data.lastUpdated.toISOString()}`] : []),
    ...(data.confluence.url ? [`confluenceUrl: ${JSON.stringify(data.confluence.url)}`] : []),
  ];
  return `---\n${lines.join('\n')}\n---\n\n`;
}

function encodePath(path: string): string {
  return path.split('/').map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment))).join('/');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

