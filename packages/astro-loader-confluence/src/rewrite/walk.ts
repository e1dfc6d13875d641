/**
 * The document's nodes in document order (pre-order), each with its parent and index, collected
 * once per tree and shared by every plugin. unist-util-visit builds a new ancestor array for every
 * node and ran once per plugin; that was most of the rewrite's time once parsing became cheap
 * (docs/fidelity.md).
 */
import type { Nodes, Parent, Root } from 'mdast';

export interface Visited {
  node: Nodes;
  parent: Parent | undefined;
  index: number | undefined;
}

const collected = new WeakMap<Root, Visited[]>();

/** Every node of `tree` in document order. The tree must not change after the first call. */
export function documentNodes(tree: Root): readonly Visited[] {
  let list = collected.get(tree);
  if (list) return list;
  list = [];
  // An explicit stack rather than recursion: deeply nested lists or quotes must not overflow it.
  const stack: Visited[] = [{ node: tree, parent: undefined, index: undefined }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    list.push(entry);
    if ('children' in entry.node) {
      const parent = entry.node;
      for (let i = parent.children.length - 1; i >= 0; i--) stack.push({ node: parent.children[i]!, parent, index: i });
    }
  }
  collected.set(tree, list);
  return list;
}

/** The nodes of one type, in document order. */
export function nodesOfType<T extends Nodes['type']>(tree: Root, type: T): Extract<Nodes, { type: T }>[] {
  const out: Extract<Nodes, { type: T }>[] = [];
  for (const { node } of documentNodes(tree)) if (node.type === type) out.push(node as Extract<Nodes, { type: T }>);
  return out;
}
