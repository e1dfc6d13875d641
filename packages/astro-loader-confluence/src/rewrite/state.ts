/**
 * Per-document state shared by the rewrite plugins, kept on the unified `VFile` (`file.data`)
 * rather than in module scope, so that concurrent rewrites never see each other's edits.
 */
import type { Node } from 'unist';
import type { VFile } from 'vfile';
import type { UnresolvedLink } from '../types.ts';

/**
 * A change to the original Markdown, by UTF-16 offsets. `replace` is either the new text or a
 * function of the span's text after the edits nested inside it were applied (an alert block
 * wraps links that other plugins rewrote).
 */
export interface Edit {
  start: number;
  end: number;
  replace: string | ((inner: string) => string);
}

export interface RewriteState {
  edits: Edit[];
  warnings: string[];
  unresolved: UnresolvedLink[];
  /** Nodes a plugin already rewrote, so that a later plugin leaves them alone (an emoticon is not an attachment). */
  handled: WeakSet<Node>;
  /** Set by the title plugin. */
  title?: string;
  /** The heading node removed as the title, so heading ids skip it. */
  titleNode?: Node;
  /** This page's heading ids after rewriting; set by the heading-ids plugin. */
  headingIds: string[];
}

declare module 'vfile' {
  interface DataMap {
    confluenceRewrite: RewriteState;
  }
}

/** The rewrite state of `file`, created on first use. */
export function rewriteState(file: VFile): RewriteState {
  file.data.confluenceRewrite ??= { edits: [], warnings: [], unresolved: [], handled: new WeakSet(), headingIds: [] };
  return file.data.confluenceRewrite;
}
