/**
 * The splice compiler: the output is the original Markdown with only the rewritten spans
 * replaced. Re-stringifying the tree (remark-stringify) would reformat every table, list and
 * escape on every page and costs a full serialisation; splicing keeps the author's bytes and is
 * measured in bench/rewrite.bench.ts.
 */
import type { Node } from 'unist';
import type { Plugin } from 'unified';
import type { Root } from 'mdast';
import { rewriteState, type Edit } from './state.ts';

/**
 * Applies `edits` to `source`. Edits may nest (the outer one then sees the inner result) but
 * must not partly overlap: that would be a bug in a plugin, so it throws.
 */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  let index = 0;
  const apply = (start: number, end: number): string => {
    let out = '';
    let cursor = start;
    while (index < sorted.length && sorted[index]!.start < end) {
      const edit = sorted[index]!;
      if (edit.end > end || edit.start < cursor) {
        throw new Error(`Overlapping rewrite edits at offsets ${edit.start}-${edit.end}.`);
      }
      index++;
      out += source.slice(cursor, edit.start);
      const inner = apply(edit.start, edit.end);
      out += typeof edit.replace === 'string' ? edit.replace : edit.replace(inner);
      cursor = edit.end;
    }
    return out + source.slice(cursor, end);
  };
  return apply(0, source.length);
}

/** Unified compiler plugin: serialises by splicing the recorded edits into the source text. */
export const spliceCompiler: Plugin<[], Root, string> = function () {
  this.compiler = (_tree, file) => applyEdits(String(file.value), rewriteState(file).edits);
};

/** Start and end offsets of a parsed node; undefined for generated nodes. */
export function span(node: Node): { start: number; end: number } | undefined {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? undefined : { start, end };
}
