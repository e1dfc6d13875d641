/**
 * Discovery against the live APIs: the page tree, its folders, and what may be published, with
 * nothing assumed.
 *
 * - Whether the token can read Confluence REST is decided once, up front, by the first call (the
 *   space or root page look-up). Without REST the loader can only publish unchecked, and only when
 *   the site says so (`checkRestrictions: false`); a failure later on is an error, never a reason to
 *   check less.
 * - The tree comes from the v2 listing (pages/250 calls), plus one look-up per folder pages sit in.
 * - Restrictions and labels come in bulk from the content search (pages/100 calls, fewer when
 *   Confluence caps the page size). Its page search runs beside the listing: it needs nothing from
 *   it, and both are chains of cursors, so one after the other costs the two chains' latency.
 *   Search can lag behind, so every page or folder it did not cover is looked up alone. A look-up
 *   that fails after the HTTP client's retries stops the sync.
 * - With a root page, the pages and folders above it are checked too: their restrictions apply.
 */
import { MAX_PAGES_PER_EXPORT } from '../app-limits.ts';
import { buildSpaceTree } from '../discover/space-tree.ts';
import { AuthError, ConfigError, ConfluenceLoaderError, NotFoundError, PrivacyCheckError, RestScopeError, UntrustedTreeError } from '../errors.ts';
import { treeFromArchive } from '../export/page-tree.ts';
import { readArchive } from '../export/archive.ts';
import { bulkExport } from '../remote/export-client.ts';
import type { ContentFacts, RestClient } from '../remote/rest-client.ts';
import { attachmentReferences } from '../rewrite/references.ts';
import type { Discovery, DiscoveryProgress, FetchedPage } from '../sync/page-source.ts';
import { drainQueue } from '../sync/work-queue.ts';
import type { ConfluencePage, SpaceTree } from '../types.ts';
import { toFetched, type LiveSourceDeps } from './live-deps.ts';

/** Per-page look-ups in flight at once: small GETs, so more of them than export calls. */
export const LOOKUPS_IN_FLIGHT = 16;

export const REST_SCOPES =
  'read:space:confluence, read:page:confluence, read:folder:confluence, read:content-details:confluence, read:label:confluence and search:confluence';

export async function discoverLive(deps: LiveSourceDeps, onProgress?: (progress: DiscoveryProgress) => void): Promise<Discovery> {
  const { rest, options } = deps;
  let spaceKey = options.spaceKey;
  let spaceId: string;
  let homepageId: string | undefined;
  try {
    // The probe: the first REST call decides, once, whether the token reads Confluence REST at all.
    if (options.spaceKey) {
      const space = await rest.getSpaceByKey(options.spaceKey);
      spaceKey = space.key;
      spaceId = space.id;
      homepageId = space.homepageId;
    }
    if (options.rootPageId) {
      const root = await rest.getPage(options.rootPageId);
      if (!root.spaceId) throw new ConfigError(`Page ${options.rootPageId} came back without its space, so its tree cannot be listed.`, { hint: 'Check that CONFLUENCE_API_URL points at Confluence Cloud REST v2 (or a stand-in that matches it).' });
      if (options.spaceKey && root.spaceId !== spaceId!) {
        throw new ConfigError(`Page ${options.rootPageId} (CONFLUENCE_ROOT_PAGE_ID) is not in space ${options.spaceKey} (CONFLUENCE_SPACE_KEY).`, { hint: 'Unset one of them, or give the page id of a page in that space.' });
      }
      spaceId = root.spaceId;
    }
  } catch (error) {
    if (error instanceof RestScopeError) return withoutRest(deps, error);
    throw error;
  }

  const wantRestrictions = options.checkRestrictions;
  const excluded = new Set(options.excludeLabels.map((label) => label.toLowerCase()));
  const wantLabels = excluded.size > 0;
  const want = { restrictions: wantRestrictions, labels: wantLabels };
  const pageSearch = (wantRestrictions || wantLabels) && spaceKey ? held(searchType(deps, spaceKey, 'page', want, onProgress)) : undefined;
  const listed = await rest.listSpacePages(spaceId!, (done) => onProgress?.({ phase: 'listing pages', done }));
  // A listing without the space's own home page is not the space (an empty answer would empty the site).
  if (homepageId && !listed.some((page) => page.id === homepageId)) {
    throw new UntrustedTreeError(`The page listing of space ${spaceKey} does not hold the space's home page ${homepageId}, so it is not the whole space.`);
  }
  const folders = await readFolders(rest, listed, onProgress);
  const tree = buildSpaceTree([...listed, ...folders], { rootPageId: options.rootPageId, spaceKey, spaceId: spaceId! });

  const warnings: string[] = [];
  const restricted = new Set<string>();
  const labelled = new Set<string>();
  if (!wantRestrictions) {
    warnings.push('Read restrictions are not checked (checkRestrictions: false): every page the account can see is published. Publish through an account that sees only public pages.');
  }
  if (wantRestrictions || wantLabels) {
    const facts = await scan(deps, tree, spaceKey, pageSearch, want, warnings, onProgress);
    await checkUnlisted(deps, listed, folders, facts);
    await lookUpUncovered(deps, tree, facts, { restrictions: wantRestrictions, labels: wantLabels }, onProgress);
    for (const [id, fact] of facts) {
      if (fact.restricted) restricted.add(id);
      if (fact.labels?.some((label) => excluded.has(label.toLowerCase()))) labelled.add(id);
    }
  }
  return { tree, restricted, labelled, fromRest: true, warnings };
}

/** The folders pages sit in, and the folders those sit in, each read once. */
async function readFolders(rest: RestClient, pages: readonly ConfluencePage[], onProgress?: (progress: DiscoveryProgress) => void): Promise<ConfluencePage[]> {
  const known = new Map<string, ConfluencePage>();
  let wanted = [...new Set(pages.filter((p) => p.parentType === 'folder').map((p) => p.parentId!))];
  while (wanted.length > 0) {
    const batch = wanted;
    await drainQueue([...batch], LOOKUPS_IN_FLIGHT, async (id) => {
      known.set(id, await rest.getFolder(id));
      onProgress?.({ phase: 'reading folders', done: known.size });
    });
    wanted = [...new Set(batch.map((id) => known.get(id)!).filter((f) => f.parentType === 'folder' && !known.has(f.parentId!)).map((f) => f.parentId!))];
  }
  return [...known.values()];
}

/**
 * The content search over the space, pages (`pageSearch`, started beside the listing) and, when
 * there are any, folders. Without a space key (a root page alone) there is nothing to scan: every
 * page is looked up alone. A token that may not search is checked page by page instead, which
 * checks as much, only slower.
 */
async function scan(
  deps: LiveSourceDeps,
  tree: SpaceTree,
  spaceKey: string | undefined,
  pageSearch: Promise<Map<string, ContentFacts>> | undefined,
  want: { restrictions: boolean; labels: boolean },
  warnings: string[],
  onProgress?: (progress: DiscoveryProgress) => void,
): Promise<Map<string, ContentFacts>> {
  const facts = new Map<string, ContentFacts>();
  if (!spaceKey || !pageSearch) return facts;
  const types: ('page' | 'folder')[] = ['page'];
  if ([...tree.pages.values(), ...(tree.above ?? [])].some((p) => p.kind === 'folder')) types.push('folder');
  try {
    for (const type of types) {
      const found = type === 'page' ? await pageSearch : await searchType(deps, spaceKey, type, want, onProgress);
      for (const [id, fact] of found) {
        if (facts.has(id)) throw new UntrustedTreeError(`The page and folder searches of space ${spaceKey} both answered ${id}, so neither can be trusted about it.`);
        facts.set(id, fact);
      }
    }
  } catch (error) {
    if (!(error instanceof RestScopeError)) throw error;
    warnings.push(`The content search was refused (${error.status ?? 'no scope'}), so every page was checked one by one: grant search:confluence for checks in bulk.`);
    facts.clear();
  }
  return facts;
}

function searchType(deps: LiveSourceDeps, spaceKey: string, type: 'page' | 'folder', want: { restrictions: boolean; labels: boolean }, onProgress?: (progress: DiscoveryProgress) => void): Promise<Map<string, ContentFacts>> {
  return deps.rest.scanSpace(spaceKey, type, want, (done) => onProgress?.({ phase: 'scanning restrictions and labels', done }));
}

/**
 * A promise whose rejection waits for its `await` instead of being reported as unhandled: when the
 * listing fails before the page search is awaited, the search's answer or error is never asked for.
 */
function held<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * A page the search knows and the listing does not: the listing left out part of the space (and
 * perhaps a restricted page a bulk export would then carry along unseen). One look-up each, almost
 * always none: a page deleted since the search indexed it answers 404.
 */
async function checkUnlisted(deps: LiveSourceDeps, listed: readonly ConfluencePage[], folders: readonly ConfluencePage[], facts: ReadonlyMap<string, ContentFacts>): Promise<void> {
  const known = new Set([...listed, ...folders].map((page) => page.id));
  const unlisted = [...facts.entries()].filter(([id, fact]) => fact.type === 'page' && !known.has(id)).map(([id]) => id);
  await drainQueue(unlisted, LOOKUPS_IN_FLIGHT, async (id) => {
    try {
      const page = await deps.rest.getPage(id);
      if (page.status === undefined || page.status === 'current') {
        throw new UntrustedTreeError(`The page listing leaves out page ${id}, which Confluence still has, so it is not the whole space.`, {
          hint: 'Re-run the build; if it persists, the listing is wrong at its source. The last good content was kept.',
        });
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  });
}

/**
 * Every page and folder the scan did not cover (or covered without its labels), looked up alone,
 * top-down: under one already known to be left out nothing needs asking.
 */
async function lookUpUncovered(deps: LiveSourceDeps, tree: SpaceTree, facts: Map<string, ContentFacts>, want: { restrictions: boolean; labels: boolean }, onProgress?: (progress: DiscoveryProgress) => void): Promise<void> {
  const excluded = new Set(deps.options.excludeLabels.map((label) => label.toLowerCase()));
  const leftOut = (id: string) => {
    const fact = facts.get(id);
    return Boolean(fact?.restricted || fact?.labels?.some((label) => excluded.has(label.toLowerCase())));
  };
  const complete = (id: string) => {
    const fact = facts.get(id);
    return fact !== undefined && (!want.restrictions || fact.restricted !== undefined) && (!want.labels || fact.labels !== undefined);
  };
  const kindOf = (id: string) => (tree.pages.get(id) ?? tree.above?.find((p) => p.id === id))?.kind ?? 'page';
  let done = 0;
  let total = 0;
  const lookUp = async (id: string) => {
    const fact: ContentFacts = { ...facts.get(id), type: kindOf(id) };
    try {
      if (want.restrictions && fact.restricted === undefined) fact.restricted = (await deps.rest.getReadRestrictions(id)).restricted;
      if (want.labels && fact.labels === undefined) {
        if (fact.type === 'folder') {
          throw new PrivacyCheckError(`Folder ${id} is not in the content search yet, and folders have no label look-up of their own, so the loader cannot tell whether it carries an excluded label.`, {
            hint: 'Re-run the build in a few minutes (the search index catches up), or unset CONFLUENCE_EXCLUDE_LABELS. The last good content was kept.',
          });
        }
        fact.labels = await deps.rest.listLabels(id);
      }
    } catch (error) {
      if (error instanceof PrivacyCheckError || !(error instanceof ConfluenceLoaderError)) throw error;
      throw new PrivacyCheckError(`Checking whether ${fact.type} ${id} may be published failed: ${error.message}`, {
        hint: error instanceof RestScopeError
          ? `The token lacks a scope for that check: grant ${REST_SCOPES} (\`confluence-export doctor\` names the one missing). The last good content was kept.`
          : `${error.hint} The last good content was kept.`,
        cause: error,
      });
    }
    facts.set(id, fact);
    onProgress?.({ phase: 'checking pages one by one', done: ++done, total });
  };

  // Above a root page first: what sits there applies to the whole tree.
  for (const page of tree.above ?? []) {
    if (complete(page.id)) continue;
    total++;
    await lookUp(page.id);
  }
  if ((tree.above ?? []).some((page) => leftOut(page.id))) return;
  const queue: string[] = [];
  const enqueueFrom = (ids: readonly string[]) => {
    const walk = [...ids];
    while (walk.length > 0) {
      const id = walk.pop()!;
      if (!complete(id)) {
        queue.push(id);
        total++;
      } else if (!leftOut(id)) walk.push(...(tree.children.get(id) ?? []));
    }
  };
  enqueueFrom(tree.roots);
  await drainQueue(queue, LOOKUPS_IN_FLIGHT, async (id) => {
    await lookUp(id);
    if (!leftOut(id)) enqueueFrom(tree.children.get(id) ?? []);
  });
}

/**
 * Without REST scopes the only way to learn the tree is to export it: one call of at most 100
 * pages, restrictions unchecked. That is allowed only when the site asked for it
 * (`checkRestrictions: false`) and excludes no labels; otherwise nothing is exported at all.
 */
async function withoutRest(deps: LiveSourceDeps, cause: RestScopeError): Promise<Discovery> {
  const { options } = deps;
  if (options.checkRestrictions && cause.status === 401) {
    // 401 is what an invalid or expired token gets too; only exporting could tell the two apart,
    // and nothing is exported before it is checked.
    throw new AuthError(`The access token was refused by Confluence REST (401): it is missing, expired, or lacks the REST scopes, so no page could be checked and nothing was exported.`, {
      hint: `Refresh the token or re-authorise (\`confluence-export auth\`), and make sure the integration grants ${REST_SCOPES}; \`confluence-export doctor\` tells which is missing.`,
      request: cause.request,
      cause,
    });
  }
  if (options.checkRestrictions) {
    throw new RestScopeError(`Confluence REST refused the token (${cause.status ?? 'refused'}), so the loader cannot check which pages are restricted, and it publishes nothing it has not checked.`, {
      hint: `Grant the REST scopes ${REST_SCOPES} to the OAuth integration and re-authorise (an expired or invalid token is refused the same way: \`confluence-export doctor\` tells which). To publish every page the account can see, unchecked (at most ${MAX_PAGES_PER_EXPORT}), set checkRestrictions: false.`,
      request: cause.request,
      cause,
    });
  }
  if (options.excludeLabels.length > 0) {
    throw new ConfigError('CONFLUENCE_EXCLUDE_LABELS is set, but the token cannot read labels (no REST scopes), so excluded pages could not be kept out.', {
      hint: `Grant the REST scopes ${REST_SCOPES} to the OAuth integration, or publish through an account that cannot see the excluded pages and unset CONFLUENCE_EXCLUDE_LABELS.`,
      cause,
    });
  }
  const answer = await bulkExport(deps.http, deps.auth, deps.exportUrl, {
    ...(options.rootPageId ? { pageId: options.rootPageId, bulkExport: true } : { spaceKey: options.spaceKey }),
    maxPages: MAX_PAGES_PER_EXPORT,
    includeAttachments: options.includeAttachments,
  });
  const archive = await readArchive(answer.zip, options.rootPageId ? `page ${options.rootPageId}` : `space ${options.spaceKey}`, options.archiveLimits);
  const files = new Map(archive.files.map((f) => [f.path, f]));
  const found = treeFromArchive(archive.files, attachmentReferences);
  const tree = buildSpaceTree(
    found.pages.map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, position: p.position, version: { number: 0 } })),
    { spaceKey: options.spaceKey },
  );
  const prefetched = new Map<string, FetchedPage>();
  for (const page of found.pages) prefetched.set(page.id, toFetched(page.id, page.page, files));

  const warnings = [
    ...archive.warnings,
    `The token has no Confluence REST scopes (${cause.status ?? 'refused'}), so the space was exported in one call without them (checkRestrictions: false): sibling order is alphabetical, restrictions were NOT checked (publish through an account that sees only public pages), and at most ${MAX_PAGES_PER_EXPORT} pages are published. Grant ${REST_SCOPES} to lift these limits.`,
  ];
  if (found.unattributed > 0) warnings.push(`${found.unattributed} attachment reference(s) name a file two sibling pages both reference; without REST the pages cannot be exported alone, so those files are left out.`);
  if (answer.pageCount >= MAX_PAGES_PER_EXPORT || found.pages.length >= MAX_PAGES_PER_EXPORT) {
    warnings.push(`The export returned ${MAX_PAGES_PER_EXPORT} pages, the most one call can hold: the space is probably truncated. Grant ${REST_SCOPES} to publish all of it.`);
  }
  return { tree, restricted: new Set(), labelled: new Set(), fromRest: false, prefetched, warnings };
}
