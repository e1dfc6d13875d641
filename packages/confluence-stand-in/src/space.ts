/**
 * The space the stand-in serves: a plain page list (SpaceSpec) in, a mutable model out. Tests of
 * incremental sync change it between requests, so every query reads the current state.
 */

export interface AttachmentSpec {
  fileName: string;
  mediaType: string;
  data: Uint8Array;
}

export interface Restriction {
  users?: string[];
  groups?: string[];
}

/** Confluence content in a page tree: a page, or a folder (a node with a title and no body). */
export type ContentKind = 'page' | 'folder';

export interface PageSpec {
  id: string;
  /** Default `page`. A folder is never exported and has no body; its restrictions apply below it. */
  kind?: ContentKind;
  title: string;
  /** Omitted (or undefined) for a top-level page of the space. */
  parentId?: string;
  /** Sibling order, as Confluence's `position`. Unrelated to id order. */
  position: number;
  /** The page's Markdown as the exporter writes it, after the `# {title}` line. */
  body: string;
  labels?: string[];
  /** A read restriction on this page itself (ancestors' restrictions also apply). */
  restricted?: Restriction;
  version?: { number: number; createdAt: string };
  attachments?: AttachmentSpec[];
}

export interface SpaceSpec {
  key: string;
  name: string;
  id: string;
  /** The Atlassian site the page bodies link to, e.g. `demo.atlassian.net`. */
  site: string;
  pages: PageSpec[];
}

export interface Page {
  id: string;
  kind: ContentKind;
  title: string;
  parentId: string | undefined;
  position: number;
  body: string;
  labels: string[];
  restricted: Restriction | undefined;
  version: { number: number; createdAt: string };
  attachments: AttachmentSpec[];
}

export interface NewPage {
  id?: string;
  kind?: ContentKind;
  title: string;
  parentId?: string;
  position?: number;
  body?: string;
  labels?: string[];
  restricted?: Restriction;
  attachments?: AttachmentSpec[];
}

/** A stable starting date so generated versions look the same on every run. */
export const BASE_DATE = Date.UTC(2025, 0, 15, 9, 0, 0);

const byPosition = (a: Page, b: Page) =>
  a.position - b.position || (a.id.length - b.id.length) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class Space {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  readonly site: string;
  private readonly byId = new Map<string, Page>();
  private lastStamp = BASE_DATE;
  private nextId = 0n;
  private members = 0;

  constructor(spec: SpaceSpec) {
    this.key = spec.key;
    this.name = spec.name;
    this.id = spec.id;
    this.site = spec.site;
    for (const [i, p] of spec.pages.entries()) {
      if (this.byId.has(p.id)) throw new Error(`duplicate page id ${p.id}`);
      const createdAt = p.version?.createdAt ?? new Date(BASE_DATE + i * 60_000).toISOString();
      this.byId.set(p.id, {
        id: p.id,
        kind: p.kind ?? 'page',
        title: p.title,
        parentId: p.parentId ?? undefined,
        position: p.position,
        body: p.body,
        labels: [...(p.labels ?? [])],
        restricted: p.restricted ? cloneRestriction(p.restricted) : undefined,
        version: { number: p.version?.number ?? 1, createdAt },
        attachments: (p.attachments ?? []).map((a) => ({ ...a })),
      });
      this.lastStamp = Math.max(this.lastStamp, Date.parse(createdAt));
      this.nextId = bigMax(this.nextId, BigInt(p.id) + 1n);
    }
    for (const p of this.byId.values()) {
      if (p.parentId !== undefined && !this.byId.has(p.parentId)) {
        throw new Error(`page ${p.id} has unknown parent ${p.parentId}`);
      }
    }
  }

  /** The first top-level page, which Confluence reports as the space's homepage. */
  get homepageId(): string | undefined {
    return this.children(undefined).find((p) => p.kind === 'page')?.id;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Changes whenever a page or folder is added or deleted: what an index over the ids keys on. */
  get membership(): number {
    return this.members;
  }

  get(id: string): Page | undefined {
    return this.byId.get(String(id));
  }

  /** Every page and folder. */
  all(): Page[] {
    return [...this.byId.values()];
  }

  /** Pages only (what the app exports and the v2 page listing returns). */
  pages(): Page[] {
    return this.all().filter((p) => p.kind === 'page');
  }

  /** Children of a page (or the top-level pages for undefined), in position order. */
  children(parentId: string | undefined): Page[] {
    return this.all()
      .filter((p) => p.parentId === parentId)
      .sort(byPosition);
  }

  /** The page and its descendants, depth-first in position order (the export's order). */
  subtree(id: string | undefined): Page[] {
    const kids = new Map<string | undefined, Page[]>();
    for (const p of this.all()) {
      const list = kids.get(p.parentId);
      if (list) list.push(p);
      else kids.set(p.parentId, [p]);
    }
    for (const list of kids.values()) list.sort(byPosition);
    const out: Page[] = [];
    const visit = (p: Page) => {
      out.push(p);
      for (const c of kids.get(p.id) ?? []) visit(c);
    };
    if (id === undefined) for (const top of kids.get(undefined) ?? []) visit(top);
    else {
      const root = this.get(id);
      if (root) visit(root);
    }
    return out;
  }

  ancestors(id: string): Page[] {
    const out: Page[] = [];
    let p = this.get(id);
    while (p?.parentId !== undefined) {
      p = this.get(p.parentId);
      if (p) out.push(p);
    }
    return out;
  }

  /** Restricted itself or through an ancestor: what the loader must work out over REST. */
  isEffectivelyRestricted(id: string): boolean {
    const p = this.get(id);
    if (!p) return false;
    return [p, ...this.ancestors(id)].some((x) => hasRestriction(x.restricted));
  }

  // ---- mutations (for incremental-sync tests) ----

  /** Content changes create a new version, as an edit in Confluence does. */
  updatePage(id: string, change: { title?: string; body?: string }): Page {
    const p = this.must(id);
    if (change.title !== undefined) p.title = change.title;
    if (change.body !== undefined) p.body = change.body;
    p.version = { number: p.version.number + 1, createdAt: this.stamp() };
    return p;
  }

  addPage(input: NewPage): Page {
    const id = input.id ?? (this.nextId++).toString();
    if (this.byId.has(id)) throw new Error(`page ${id} already exists`);
    if (input.parentId !== undefined) this.must(input.parentId);
    this.nextId = bigMax(this.nextId, BigInt(id) + 1n);
    const page: Page = {
      id,
      kind: input.kind ?? 'page',
      title: input.title,
      parentId: input.parentId,
      position: input.position ?? this.nextPosition(input.parentId),
      body: input.body ?? '',
      labels: [...(input.labels ?? [])],
      restricted: input.restricted ? cloneRestriction(input.restricted) : undefined,
      version: { number: 1, createdAt: this.stamp() },
      attachments: (input.attachments ?? []).map((a) => ({ ...a })),
    };
    this.byId.set(id, page);
    this.members++;
    return page;
  }

  /**
   * Deleting a page in Confluence Cloud moves its children up to its parent unless the whole
   * tree is deleted; both are offered.
   */
  deletePage(id: string, options: { descendants?: boolean } = {}): void {
    const p = this.must(id);
    if (options.descendants) {
      for (const d of this.subtree(id)) this.byId.delete(d.id);
      this.members++;
      return;
    }
    for (const c of this.children(id)) c.parentId = p.parentId;
    this.byId.delete(id);
    this.members++;
  }

  /** Moving keeps the version: Confluence records no new content version for a move. */
  movePage(id: string, newParentId: string | undefined | null, position?: number): Page {
    const p = this.must(id);
    const parent = newParentId ?? undefined;
    if (parent !== undefined) {
      this.must(parent);
      if (parent === id || this.ancestors(parent).some((a) => a.id === id)) {
        throw new Error(`cannot move page ${id} under its own descendant ${parent}`);
      }
    }
    p.parentId = parent;
    p.position = position ?? this.nextPosition(parent, id);
    return p;
  }

  /** `true` restricts reading to the space admins group; an object sets users/groups; false clears. */
  setRestricted(id: string, restricted: boolean | Restriction): Page {
    const p = this.must(id);
    if (restricted === false) p.restricted = undefined;
    else if (restricted === true) p.restricted = { groups: ['confluence-admins'] };
    else p.restricted = cloneRestriction(restricted);
    return p;
  }

  /** Attachments are not content: deleting one keeps the page's version, and its body may still reference it. */
  deleteAttachment(id: string, fileName: string): Page {
    const p = this.must(id);
    p.attachments = p.attachments.filter((a) => a.fileName !== fileName);
    return p;
  }

  /** Labels are metadata: no new version, as in Confluence. */
  setLabels(id: string, names: string[]): Page {
    const p = this.must(id);
    p.labels = [...names];
    return p;
  }

  private must(id: string): Page {
    const p = this.get(id);
    if (!p) throw new Error(`unknown page ${id}`);
    return p;
  }

  private nextPosition(parentId: string | undefined, except?: string): number {
    const siblings = this.children(parentId).filter((p) => p.id !== except);
    return siblings.length ? Math.max(...siblings.map((s) => s.position)) + 1 : 0;
  }

  /** Strictly increasing timestamps, so two quick edits still get distinct createdAt values. */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }
}

export function hasRestriction(r: Restriction | undefined): boolean {
  return !!r && ((r.users?.length ?? 0) > 0 || (r.groups?.length ?? 0) > 0);
}

function cloneRestriction(r: Restriction): Restriction {
  return { users: [...(r.users ?? [])], groups: [...(r.groups ?? [])] };
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
