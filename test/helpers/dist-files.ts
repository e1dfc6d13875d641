/**
 * Every file of a built site as text, Pagefind's gzip-compressed index and fragments decompressed
 * first, so a search for leaked text finds it wherever the build put it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface TextFile {
  path: string;
  text: string;
}

export function readAll(dir: string): TextFile[] {
  const out: TextFile[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!d.isFile()) continue;
    const path = join(d.parentPath, d.name);
    let bytes = readFileSync(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    out.push({ path: relative(dir, path), text: bytes.toString('latin1') });
  }
  return out;
}

/** A CBOR text string as Pagefind's index stores a word: checks a whole word, not a substring of a hash. */
export function indexHasWord(text: string, word: string): boolean {
  return text.includes(String.fromCharCode(0x60 + word.length) + word);
}

/** Every file under `dir` with the sha256 of its bytes: a failed sync must leave a folder exactly as it was. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!d.isFile()) continue;
    const path = join(d.parentPath, d.name);
    out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}
