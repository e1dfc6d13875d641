/**
 * The sync state kept beside the raw cache it describes, as well as in Astro's meta store. Tools
 * that clear Astro's data store to force a full re-render (starlight-links-validator does on every
 * build) would otherwise throw the state away with it, and every page would be exported again
 * although the raw cache still holds it. The CLI, which has no meta store, keeps its state here too.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fs-atomic.ts';
import type { SyncState } from './sync.ts';

const FILE = 'sync-state.json';

/**
 * The state written with the raw cache in `cacheRoot`, for the sync only: its entries digest is
 * dropped, since whatever asks for it has lost the entries the digest vouches for.
 */
export async function readStateFile(cacheRoot: string): Promise<SyncState | undefined> {
  let text: string;
  try {
    text = await readFile(join(cacheRoot, FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as SyncState;
    if (typeof state.key !== 'string' || typeof state.pages !== 'object' || state.pages === null) return undefined;
    return { key: state.key, pages: state.pages };
  } catch {
    return undefined;
  }
}

export async function writeStateFile(cacheRoot: string, state: SyncState): Promise<void> {
  await writeFileAtomic(join(cacheRoot, FILE), JSON.stringify(state));
}
