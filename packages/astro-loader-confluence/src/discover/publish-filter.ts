/**
 * What may reach the public site. A page or folder with a read restriction, or under one with
 * one (the pages and folders above a configured root page included), and a page or folder carrying
 * an excluded label, with everything under it, is never published. Folders are never pages of
 * their own; one that is not left out shows as a group of the pages under it. Pure: the look-ups
 * happen in sources/, this decides.
 */
import type { SpaceTree, UnpublishedReason } from '../types.ts';
import { walkTree } from './space-tree.ts';

export interface PublishDecision {
  /** Pages on the public site. */
  published: Set<string>;
  /** Folders on the public site: groups holding published pages, with no page of their own. */
  folders: Set<string>;
  /** Every page and folder of the tree that is left out, and why. */
  excluded: Map<string, UnpublishedReason>;
}

export function decidePublication(
  tree: SpaceTree,
  input: { restricted: ReadonlySet<string>; labelled: ReadonlySet<string> },
): PublishDecision {
  const published = new Set<string>();
  const folders = new Set<string>();
  const excluded = new Map<string, UnpublishedReason>();
  const own = (id: string): UnpublishedReason | undefined =>
    input.restricted.has(id) ? 'restricted' : input.labelled.has(id) ? 'excluded-label' : undefined;

  // What sits above a configured root page applies to all of it, the nearest reason first.
  let fromAbove: UnpublishedReason | undefined;
  for (const page of [...(tree.above ?? [])].reverse()) fromAbove ??= own(page.id);

  // Iterative, parents before children: a tree 10,000 levels deep must not overflow the stack.
  const stack: { id: string; inherited: UnpublishedReason | undefined }[] = tree.roots.map((id) => ({ id, inherited: fromAbove })).reverse();
  while (stack.length > 0) {
    const { id, inherited } = stack.pop()!;
    const reason = inherited ?? own(id);
    if (reason) excluded.set(id, reason);
    else if (tree.pages.get(id)!.kind === 'folder') folders.add(id);
    else published.add(id);
    const kids = tree.children.get(id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i]!, inherited: reason });
  }
  // A folder shows only as the group of what is published under it: drop empty ones (children first).
  const order = [...walkTree(tree)];
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    if (folders.has(id) && !(tree.children.get(id) ?? []).some((kid) => published.has(kid) || folders.has(kid))) folders.delete(id);
  }
  return { published, folders, excluded };
}
