/**
 * What may reach the public site. A page with a read restriction, or under an ancestor with one,
 * and a page carrying an excluded label (with all its descendants) is never published. Pure: the
 * look-ups happen in sync.ts, this decides.
 */
import { walkTree } from './space-tree.ts';
import type { SpaceTree, UnpublishedReason } from '../types.ts';

export interface PublishDecision {
  published: Set<string>;
  /** Every page of the tree that is left out, and why. */
  excluded: Map<string, UnpublishedReason>;
}

export function decidePublication(
  tree: SpaceTree,
  input: { restricted: ReadonlySet<string>; labelled: ReadonlySet<string> },
): PublishDecision {
  const published = new Set<string>();
  const excluded = new Map<string, UnpublishedReason>();
  const visit = (id: string, inherited: UnpublishedReason | undefined) => {
    const own: UnpublishedReason | undefined = input.restricted.has(id)
      ? 'restricted'
      : input.labelled.has(id)
        ? 'excluded-label'
        : undefined;
    const reason = inherited ?? own;
    if (reason) excluded.set(id, reason);
    else published.add(id);
    for (const kid of tree.children.get(id) ?? []) visit(kid, reason);
  };
  for (const root of tree.roots) visit(root, undefined);
  return { published, excluded };
}

/** Pages whose restrictions must be looked up: published candidates whose ancestors are all clear. */
export function* restrictionCandidates(tree: SpaceTree, skip: (id: string) => boolean): Generator<string> {
  for (const id of walkTree(tree)) if (!skip(id)) yield id;
}
