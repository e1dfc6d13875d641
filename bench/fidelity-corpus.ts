/**
 * The fidelity corpus: Markdown nobody here wrote (READMEs and docs of the installed packages),
 * turned into a Confluence space for the stand-in, page bodies as the exporter writes them.
 *
 * Selection. The lock file fixes what is installed and every list is sorted, so the same checkout
 * always gives the same corpus; nothing is fetched. A document is a regular file named `*.md` or
 * `*.markdown` anywhere under `node_modules/` (nested `node_modules/` too), and is skipped when:
 * - it is reached through a symbolic link (the workspace's own packages are linked there) or lies
 *   in a dot folder (`.bin`, `.astro`, `.vite`: caches, among them the loader's own raw cache);
 * - it is a legal text (`LICENSE`, `LICENCE`, `COPYING`, `NOTICE`): plain text, not prose Markdown;
 * - it lies in a test or fixture folder: parser test inputs are odd on purpose, not documents;
 * - it is under 200 bytes (a stub) or over 64 KB (a generated reference or a years-long changelog);
 * - it is not valid UTF-8;
 * - it starts with YAML frontmatter: a Confluence page has none, and docsLoader would take it as data;
 * - it shows an image by a relative path (`![](media/x.png)`): npm packages rarely ship those
 *   files, docsLoader fails the build on a missing image, and the loader would take it for a
 *   missing attachment, so neither side could render it as written;
 * - its text (line endings normalised) is that of a document already taken (the same README in
 *   two versions of a package): the first path wins.
 * A quick run keeps every fourth document of that list.
 *
 * Titles. The exporter writes `# {title}` first, so a document whose first block is an H1 gets
 * that heading's text as its title and the rest as its body; any other document is titled after
 * its package (a README) or its file name, and its whole text is the body. The body is trimmed,
 * as Astro trims the body of every Markdown file it loads (an indented first line would otherwise
 * be read differently by the two sides: a list item whose siblings become its children).
 *
 * Tree. Home → a group per npm scope (`@astrojs`) or per first letter of unscoped names → a page
 * per package (its README, or a short generated page) → its other documents, under a page per
 * folder when they lie in more than one. Generated pages are part of both builds but not of the
 * comparison: only documents count.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Heading, Nodes, Root } from 'mdast';
import { markdownToMdast } from 'satteri';
import type { PageSpec, SpaceSpec } from 'confluence-stand-in';
import { headingText } from '../packages/astro-loader-confluence/src/rewrite/headings.ts';
import { ROOT } from './common.ts';

export interface CorpusDocument {
  /** Path relative to the repository root, e.g. `node_modules/undici/docs/docs/api/Agent.md`. */
  path: string;
  /** The package it belongs to, e.g. `undici`, `@astrojs/starlight`. */
  packageName: string;
  /** Path inside the package, e.g. `docs/docs/api/Agent.md`. */
  inPackage: string;
  title: string;
  /** The page body: the document without its leading H1. */
  body: string;
  bytes: number;
}

export interface Corpus {
  documents: CorpusDocument[];
  /** Why candidates were left out, with how many. */
  skipped: Record<string, number>;
}

const MIN_BYTES = 200;
const MAX_BYTES = 64 * 1024;
const LEGAL = /^(?:licen[cs]e|copying|notice)(?:[.-]|$)/i;
const TEST_FOLDER = /^(?:tests?|__tests__|fixtures?|spec)$/i;
/** Satteri as the loader's rewrite parses (rewrite/parse.ts): GFM, no frontmatter. */
const FEATURES = { gfm: true, frontmatter: false, smartPunctuation: false } as const;

function markdownFiles(dir: string, out: string[] = []): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.isSymbolicLink() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!TEST_FOLDER.test(entry.name)) markdownFiles(path, out);
    } else if (entry.isFile() && /\.(?:md|markdown)$/i.test(entry.name) && !LEGAL.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** `node_modules/a/node_modules/@s/b/docs/x.md` → `@s/b` and `docs/x.md`. */
function packageOf(path: string): { packageName: string; inPackage: string } {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('node_modules');
  const scoped = parts[at + 1]!.startsWith('@');
  const nameParts = parts.slice(at + 1, at + (scoped ? 3 : 2));
  return { packageName: nameParts.join('/'), inPackage: parts.slice(at + 1 + nameParts.length).join('/') };
}

function* nodes(tree: Nodes): Generator<Nodes> {
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }
}

/** Whether the document shows an image by a relative path (inline or through a reference definition). */
function hasRelativeImage(tree: Root): boolean {
  const definitions = new Map<string, string>();
  const urls: (string | { ref: string })[] = [];
  for (const node of nodes(tree)) {
    if (node.type === 'definition') definitions.set(node.identifier, node.url);
    else if (node.type === 'image') urls.push(node.url);
    else if (node.type === 'imageReference') urls.push({ ref: node.identifier });
  }
  return urls.some((url) => {
    const value = typeof url === 'string' ? url : definitions.get(url.ref);
    return value !== undefined && value !== '' && !/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(value);
  });
}

/** Title and body as the exporter would write the document: a leading H1 becomes the title. */
function titleAndBody(text: string, tree: Root, fallback: string): { title: string; body: string } {
  const first = tree.children[0];
  if (first?.type === 'heading' && (first as Heading).depth === 1) {
    const title = headingText(first as Heading).trim().replace(/\s+/g, ' ');
    if (title !== '') return { title, body: `${text.slice(first.position!.end.offset!).trim()}\n` };
  }
  return { title: fallback, body: `${text.trim()}\n` };
}

export function collectCorpus(options: { quick: boolean }): Corpus {
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const seen = new Set<string>();
  const documents: CorpusDocument[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const file of markdownFiles(join(ROOT, 'node_modules'))) {
    const bytes = statSync(file).size;
    if (bytes < MIN_BYTES) { skip('under 200 bytes'); continue; }
    if (bytes > MAX_BYTES) { skip('over 64 KB'); continue; }
    let text: string;
    try {
      text = decoder.decode(readFileSync(file)).replace(/\r\n?/g, '\n');
    } catch {
      skip('not UTF-8');
      continue;
    }
    if (/^\uFEFF?---[ \t]*\n/.test(text)) { skip('frontmatter'); continue; }
    const digest = createHash('sha256').update(text).digest('hex');
    if (seen.has(digest)) { skip('duplicate'); continue; }
    const tree = markdownToMdast(text, { features: FEATURES }) as unknown as Root;
    if (hasRelativeImage(tree)) { skip('relative image'); continue; }
    seen.add(digest);
    const path = relative(ROOT, file).split(sep).join('/');
    const { packageName, inPackage } = packageOf(relative(ROOT, file));
    const isReadme = /^readme\.[a-z]+$/i.test(inPackage);
    const { title, body } = titleAndBody(text, tree, isReadme ? packageName : basename(inPackage).replace(/\.[a-z]+$/i, ''));
    documents.push({ path, packageName, inPackage: inPackage.split(sep).join('/'), title, body, bytes });
  }
  return { documents: options.quick ? documents.filter((_, i) => i % 4 === 0) : documents, skipped };
}

/** The space: documents as pages in the tree described at the top; `documentOf` maps page ids back. */
export function corpusSpace(documents: readonly CorpusDocument[]): { space: SpaceSpec; documentOf: Map<string, CorpusDocument> } {
  const pages: PageSpec[] = [];
  const documentOf = new Map<string, CorpusDocument>();
  let nextId = 100_000;
  const add = (title: string, body: string, parentId: string | undefined, position: number, document?: CorpusDocument): string => {
    const id = String(nextId++);
    pages.push({ id, title, body, parentId, position });
    if (document) documentOf.set(id, document);
    return id;
  };

  const home = add('Installed packages', 'The READMEs and documentation of the packages installed in `node_modules/`.\n', undefined, 0);
  const groupOf = (name: string) => (name.startsWith('@') ? name.slice(0, name.indexOf('/')) : `Packages: ${name[0]!.toLowerCase()}`);
  const byGroup = new Map<string, Map<string, CorpusDocument[]>>();
  // Documents arrive sorted by path, so each package's documents are in path order too.
  for (const document of documents) {
    const group = byGroup.get(groupOf(document.packageName)) ?? new Map<string, CorpusDocument[]>();
    byGroup.set(groupOf(document.packageName), group);
    // Two installed versions of a package are two packages (two folders), as in node_modules.
    const key = document.path.slice(0, document.path.length - document.inPackage.length);
    group.set(key, [...(group.get(key) ?? []), document]);
  }
  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  sorted(byGroup).forEach(([group, packages], g) => {
    const groupId = add(group, `Packages under ${group.replace('Packages: ', '')}.\n`, home, g);
    sorted(packages).forEach(([, docs], p) => {
      const name = docs[0]!.packageName;
      const readme = docs.find((d) => /^readme\.[a-z]+$/i.test(d.inPackage));
      const packageId = readme ? add(readme.title, readme.body, groupId, p, readme) : add(name, `Documents of the \`${name}\` package.\n`, groupId, p);
      const others = docs.filter((d) => d !== readme);
      const folders = new Map<string, CorpusDocument[]>();
      for (const d of others) folders.set(dirname(d.inPackage), [...(folders.get(dirname(d.inPackage)) ?? []), d]);
      let position = 0;
      for (const [folder, inFolder] of folders) {
        const parent = folders.size > 1 && folder !== '.' ? add(folder.split('/').join(' / '), `Documents in \`${folder}/\`.\n`, packageId, position++) : packageId;
        inFolder.forEach((d, i) => add(d.title, d.body, parent, parent === packageId ? position++ : i, d));
      }
    });
  });
  return { space: { key: 'NPM', name: 'Installed packages', id: '99000', site: 'corpus.atlassian.net', pages }, documentOf };
}
