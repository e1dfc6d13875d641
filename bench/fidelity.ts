/**
 * `npm run fidelity [-- --quick]`: how faithfully the loader publishes Markdown nobody here wrote.
 *
 * The corpus (bench/fidelity-corpus.ts: READMEs and docs of the installed packages) is published
 * as a Confluence space through the stand-in and built through the loader (a real `astro build` of
 * a throwaway Starlight project, as bench/build.ts does for `build.overhead_ratio`); the same
 * documents are written as Markdown files at the same paths and built with Starlight's own
 * `docsLoader()`. The rendered content of every document's page is then compared
 * (bench/fidelity-compare.ts): identical, differing only by the loader's deliberate changes (each
 * class named), or residual. Writes bench/fidelity.json and the residual pages' smallest differing
 * parts to bench/fidelity-residual.md (both generated, so gitignored like results.json; the figures
 * of a run are recorded in docs/fidelity.md).
 *
 * Also measured: the build time ratio, loader build over docsLoader build, medians of 3 cold builds
 * each, alternating (`--quick`: one build each, a quarter of the documents).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { start } from 'confluence-stand-in';
import { astroBuild, loaderEntries, writeBaselineProject, writeDocsFile, writeLoaderProject } from './build.ts';
import { cleanEnv, median, note, ROOT, round, standInEnv, WORK } from './common.ts';
import { comparePages, type PageComparison } from './fidelity-compare.ts';
import { collectCorpus, corpusSpace } from './fidelity-corpus.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    /** Builds of each site (default 3, 1 with --quick); the ratio is of their medians. */
    runs: { type: 'string' },
    /** Only the first N documents of the corpus: for trying out a change to the comparison. */
    limit: { type: 'string' },
  },
});
const count = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`--${name} takes a whole number of at least 1, not "${value}".`);
  return Number(value);
};
const runs = count('runs', values.runs) ?? (values.quick ? 1 : 3);
const limit = count('limit', values.limit);
const started = performance.now();

const corpus = collectCorpus({ quick: values.quick });
const documents = limit ? corpus.documents.slice(0, limit) : corpus.documents;
const { space, documentOf } = corpusSpace(documents);
note(`fidelity: ${documents.length} documents (${Math.round(documents.reduce((sum, d) => sum + d.bytes, 0) / 1024)} KB) in ${space.pages.length} pages; skipped ${JSON.stringify(corpus.skipped)}`);

const loaderDir = join(WORK, 'fidelity-loader');
const baselineDir = join(WORK, 'fidelity-baseline');
for (const dir of [loaderDir, baselineDir]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
writeLoaderProject(loaderDir);
writeBaselineProject(baselineDir);

const standIn = await start({ port: 0, space });
const loaderMs: number[] = [];
const baselineMs: number[] = [];
const pages: { id: string; url: string; document: (typeof documents)[number] }[] = [];
const sitePages = new Set<string>();
let siteHost = '';
try {
  const env = standInEnv(standIn);
  siteHost = env.CONFLUENCE_SITE!;
  // The loader's paths for every page, so that each document lies at the same URL in both sites.
  const entries = await loaderEntries(baselineDir, env);
  rmSync(join(baselineDir, 'raw'), { recursive: true, force: true });
  const spacePage = new Map(space.pages.map((page) => [page.id, page]));
  for (const entry of entries) {
    const page = spacePage.get(entry.data.confluence.id)!;
    const document = documentOf.get(page.id);
    writeDocsFile(baselineDir, entry.filePath, page.title, document?.body ?? page.body);
    const url = entry.id === 'index' ? '' : entry.id;
    sitePages.add(url);
    if (document) pages.push({ id: page.id, url, document });
  }
  const loaderEnv = cleanEnv(env);
  const baselineEnv = cleanEnv({});
  for (let run = 1; run <= runs; run++) {
    note(`fidelity: build ${run}/${runs} through the loader`);
    loaderMs.push((await astroBuild(loaderDir, loaderEnv)).ms);
    note(`fidelity: build ${run}/${runs} with docsLoader(): ${Math.round(loaderMs.at(-1)!)} ms for the loader`);
    baselineMs.push((await astroBuild(baselineDir, baselineEnv)).ms);
    note(`fidelity: ${Math.round(baselineMs.at(-1)!)} ms for docsLoader()`);
  }
} finally {
  await standIn.stop();
}

const html = (dir: string, url: string) => {
  const file = join(dir, 'dist', url, 'index.html');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};
const comparisons: PageComparison[] = pages.map(({ id, url, document }) =>
  comparePages({ id, url, title: document.title, source: document.path }, html(baselineDir, url), html(loaderDir, url), { sitePages, siteHost }),
);

const classes: Record<string, number> = {};
for (const c of comparisons) for (const name of c.classes) classes[name] = (classes[name] ?? 0) + 1;
const residual = comparisons.filter((c) => c.verdict === 'residual');
const results = {
  pages: comparisons.length,
  identical: comparisons.filter((c) => c.verdict === 'identical').length,
  deliberate: comparisons.filter((c) => c.verdict === 'deliberate').length,
  residual: residual.length,
  classes: Object.fromEntries(Object.entries(classes).sort(([a], [b]) => (a < b ? -1 : 1))),
  build_time_ratio: round(median(loaderMs) / median(baselineMs)),
  builds: { runs, loader_ms: loaderMs.map(Math.round), baseline_ms: baselineMs.map(Math.round) },
  corpus: { quick: values.quick, documents: documents.length, bytes: documents.reduce((sum, d) => sum + d.bytes, 0), skipped: corpus.skipped },
  seconds: Math.round((performance.now() - started) / 1000),
};
writeFileSync(join(ROOT, 'bench/fidelity.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, 'bench/fidelity-residual.md'), residualReport(residual));

console.log(`pages        ${results.pages}`);
console.log(`identical    ${results.identical}`);
console.log(`deliberate   ${results.deliberate}`);
for (const [name, count] of Object.entries(results.classes)) console.log(`  ${name.padEnd(34)} ${count}`);
console.log(`residual     ${results.residual}   (goal 0; diffs in bench/fidelity-residual.md)`);
console.log(`build time   ${results.build_time_ratio} × docsLoader() (medians of ${runs}: ${Math.round(median(loaderMs))} ms / ${Math.round(median(baselineMs))} ms)`);

function residualReport(list: PageComparison[]): string {
  let out = `# Fidelity: residual pages\n\n${list.length} of ${comparisons.length} pages differ from Starlight's own render other than by the loader's deliberate changes (\`npm run fidelity\`${values.quick ? ' --quick' : ''}).\n`;
  for (const c of list) {
    out += `\n## /${c.page.url}/ — ${c.page.source}\n\n`;
    for (const d of c.residual) out += `${d.where}\n\n\`\`\`diff\n${d.diff}\n\`\`\`\n\n`;
  }
  return out;
}
