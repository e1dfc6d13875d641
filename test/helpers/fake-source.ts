/**
 * An in-memory PageSource: a space whose pages, versions, restrictions and labels a test edits
 * between syncs. Fetches follow the real planner, and like the app a subtree export delivers every
 * page of the subtree (the planner never plans one that holds a restricted or labelled page).
 */
import type { Discovery, FetchedPage, FetchProgress, PageSource } from '../../packages/astro-loader-confluence/src/sync/page-source.ts';
import { planExports, planFacts } from '../../packages/astro-loader-confluence/src/export/plan.ts';
import { buildSpaceTree, walkTree } from '../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import type { ConfluencePage } from '../../packages/astro-loader-confluence/src/types.ts';

export interface FakePage {
  page: ConfluencePage;
  markdown?: string;
  attachments?: Record<string, string>;
}

export class FakeSource implements PageSource {
  readonly label = 'fake space FAKE';
  pages = new Map<string, FakePage>();
  restricted = new Set<string>();
  labelled = new Set<string>();
  /** Pages the fake pretends the export left out. */
  drop = new Set<string>();
  /** Every `fetch` call's ids, and every page delivered. */
  requests: string[][] = [];
  delivered: string[] = [];

  constructor(pages: Iterable<FakePage>) {
    for (const p of pages) this.pages.set(p.page.id, p);
  }

  /** Bump a page's version (and change its text, as an edit would). */
  edit(id: string, markdown?: string): void {
    const p = this.pages.get(id)!;
    p.page = { ...p.page, version: { number: p.page.version.number + 1 } };
    p.markdown = markdown ?? `# ${p.page.title}\n\nEdited to v${p.page.version.number}.\n`;
  }

  markdownOf(id: string): string {
    const p = this.pages.get(id)!;
    return p.markdown ?? `# ${p.page.title}\n\nVersion ${p.page.version.number} of ${p.page.title}.\n`;
  }

  async discover(): Promise<Discovery> {
    const tree = buildSpaceTree([...this.pages.values()].map((p) => p.page), { spaceKey: 'FAKE' });
    return { tree, restricted: new Set(this.restricted), labelled: new Set(this.labelled), fromRest: true, warnings: [] };
  }

  async fetch(
    ids: ReadonlySet<string>,
    discovery: Discovery,
    published: ReadonlySet<string>,
    onPage: (page: FetchedPage) => Promise<void>,
    onProgress?: (progress: FetchProgress) => void,
  ): Promise<{ exportCalls: number; exportIds: string[] }> {
    this.requests.push([...ids].sort());
    const batches = planExports(discovery.tree, planFacts(discovery.tree, { publishable: published }), ids);
    let pagesDone = 0;
    for (const [index, batch] of batches.entries()) {
      const members = batch.kind === 'subtree' ? [...walkTree(discovery.tree, [batch.pageId])] : [batch.pageId];
      for (const id of members) {
        if (this.drop.has(id)) continue;
        const p = this.pages.get(id)!;
        this.delivered.push(id);
        await onPage({
          id,
          markdown: this.markdownOf(id),
          attachments: Object.entries(p.attachments ?? {}).map(([fileName, text]) => ({ fileName, data: new TextEncoder().encode(text) })),
        });
        if (ids.has(id)) pagesDone++;
      }
      onProgress?.({ batchesDone: index + 1, batchesTotal: batches.length, pagesDone });
    }
    return { exportCalls: batches.length, exportIds: batches.map((_, i) => `fake-export-${i + 1}`) };
  }
}
