/**
 * Safe unzipping of an export archive. The archive comes from the network and its paths end up as
 * file names on disk, so every entry is checked before anything is decompressed: no absolute paths,
 * no `..`, no backslashes or drive letters, no NUL bytes, no symlinks, bounded entry count and
 * bounded uncompressed size (checked while inflating, not trusted from the header).
 */
import { crc32 } from 'node:zlib';
import JSZip from 'jszip';
import { ArchiveError } from '../errors.ts';
import type { ArchiveFile } from '../types.ts';

export interface ArchiveLimits {
  /** Most entries one archive may hold. */
  maxEntries: number;
  /** Most bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Most bytes all entries together may inflate to. */
  maxTotalBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
};

export interface ReadArchiveResult {
  files: ArchiveFile[];
  /** Entries skipped as unsafe or duplicated, each with the reason. */
  warnings: string[];
  /**
   * Paths the archive holds more than once (only the last copy is kept): a copy of a sibling's
   * file of the same name may be the one kept, so such a path says nothing about whose file it is.
   */
  duplicates: Set<string>;
}

/**
 * Check one entry name; returns the normalised path, or why it is refused.
 * Pure, so that the rules can be tested without building zips.
 */
export function checkEntryPath(name: string): { path: string } | { refused: string } {
  if (name.includes('\0')) return { refused: 'contains a NUL byte' };
  if (name.includes('\\')) return { refused: 'contains a backslash' };
  if (/^[a-zA-Z]:/.test(name)) return { refused: 'starts with a drive letter' };
  if (name.startsWith('/')) return { refused: 'is an absolute path' };
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.some((part) => part === '..')) return { refused: 'climbs out of the archive with ..' };
  if (parts.length === 0) return { refused: 'is empty' };
  return { path: parts.join('/') };
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export async function readArchive(
  bytes: Uint8Array,
  label: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ReadArchiveResult> {
  const declared = declaredEntryCount(bytes);
  if (declared === undefined) {
    throw new ArchiveError(`The export archive of ${label} is not a zip file (no end-of-central-directory record).`, {
      hint: 'The app answered with something else than an archive; retry, and if it persists check the app version and CONFLUENCE_EXPORT_URL.',
    });
  }
  if (declared > limits.maxEntries) {
    throw new ArchiveError(`The export archive of ${label} declares ${declared} entries, over the limit of ${limits.maxEntries}.`, {
      hint: 'Raise archiveLimits.maxEntries if this space really has that many files.',
    });
  }

  let zip: JSZip;
  try {
    // No CRC check here: jszip would inflate every entry to check it, a zip bomb included, before
    // any limit applies. Each entry's CRC is checked after its bounded inflation instead.
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (error) {
    throw new ArchiveError(`The export archive of ${label} is corrupt: ${(error as Error).message}.`, {
      hint: 'Retry the build; a truncated download usually explains it.',
    });
  }

  const warnings: string[] = [];
  const entries = Object.values(zip.files);
  if (entries.length > limits.maxEntries) {
    // A zip64 archive declares its count elsewhere; the loaded index is the count that matters.
    throw new ArchiveError(`The export archive of ${label} holds ${entries.length} entries, over the limit of ${limits.maxEntries}.`, {
      hint: 'Raise archiveLimits.maxEntries if this space really has that many files.',
    });
  }
  const duplicates = new Set<string>();
  if (declared > entries.length) {
    warnings.push(`${label}: the archive holds ${declared - entries.length} entries whose names repeat others; only the last of each was kept.`);
    const seen = new Set<string>();
    for (const name of centralDirectoryNames(bytes)) {
      const checked = checkEntryPath(name);
      if ('refused' in checked) continue;
      if (seen.has(checked.path)) duplicates.add(checked.path);
      seen.add(checked.path);
    }
  }

  const files: ArchiveFile[] = [];
  let total = 0;
  for (const entry of entries) {
    if (entry.dir) continue;
    // jszip quietly resolves `..` in names (`../home.md` becomes `home.md`, which could replace a
    // real page): judge the name as the archive wrote it.
    const original = (entry as { unsafeOriginalName?: string }).unsafeOriginalName ?? entry.name;
    const checked = checkEntryPath(original);
    if ('refused' in checked) {
      if (original !== entry.name && declared > entries.length) {
        // jszip filed this entry under a resolved name that another entry also had: the real page
        // behind that name is gone, so the archive cannot be trusted at all.
        throw new ArchiveError(`The export archive of ${label} has an entry ${JSON.stringify(original)} that ${checked.refused} and hides another entry; the archive was refused.`, {
          hint: 'This archive was tampered with or corrupted on the way; nothing from it was written. Retry the build, and check any proxy set in CONFLUENCE_EXPORT_URL.',
        });
      }
      warnings.push(`${label}: skipped archive entry ${JSON.stringify(original)}: it ${checked.refused}.`);
      continue;
    }
    const mode = entry.unixPermissions;
    if (typeof mode === 'number' && (mode & S_IFMT) === S_IFLNK) {
      warnings.push(`${label}: skipped archive entry ${JSON.stringify(entry.name)}: it is a symbolic link.`);
      continue;
    }
    const remaining = limits.maxTotalBytes - total;
    const data = await inflateBounded(entry, Math.min(limits.maxEntryBytes, remaining), label, limits);
    const expectedCrc = (entry as unknown as { _data?: { crc32?: number } })._data?.crc32;
    if (typeof expectedCrc === 'number' && crc32(data) !== expectedCrc >>> 0) {
      throw new ArchiveError(`The export archive of ${label} is corrupt: entry ${JSON.stringify(entry.name)} fails its CRC check.`, {
        hint: 'Retry the build; a truncated or altered download usually explains it.',
      });
    }
    total += data.byteLength;
    files.push({ path: checked.path, data });
  }
  return { files, warnings, duplicates };
}

function inflateBounded(entry: JSZip.JSZipObject, max: number, label: string, limits: ArchiveLimits): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let failed = false;
    // internalStream lets us stop a zip bomb as soon as it passes the limit instead of after inflating it.
    // internalStream is public in jszip 3 but missing from its type declarations.
    const stream = (entry as unknown as { internalStream(type: 'uint8array'): JSZipStream }).internalStream('uint8array');
    stream
      .on('data', (chunk: Uint8Array) => {
        if (failed) return;
        size += chunk.byteLength;
        if (size > max) {
          failed = true;
          stream.pause();
          const which = max < limits.maxEntryBytes ? `the archive's total of ${limits.maxTotalBytes} bytes` : `${limits.maxEntryBytes} bytes per entry`;
          reject(
            new ArchiveError(`The export archive of ${label} inflates past ${which} (entry ${JSON.stringify(entry.name)}).`, {
              hint: 'This looks like a zip bomb or an unusually large attachment; raise archiveLimits if the content is genuine.',
            }),
          );
          return;
        }
        chunks.push(chunk);
      })
      .on('error', (error: Error) => {
        if (!failed) reject(new ArchiveError(`The export archive of ${label} has a corrupt entry ${JSON.stringify(entry.name)}: ${error.message}.`));
      })
      .on('end', () => {
        if (failed) return;
        const out = new Uint8Array(size);
        let offset = 0;
        for (const chunk of chunks) {
          out.set(chunk, offset);
          offset += chunk.byteLength;
        }
        resolve(out);
      })
      .resume();
  });
}

interface JSZipStream {
  on(event: 'data', fn: (chunk: Uint8Array) => void): JSZipStream;
  on(event: 'error', fn: (error: Error) => void): JSZipStream;
  on(event: 'end', fn: () => void): JSZipStream;
  pause(): JSZipStream;
  resume(): JSZipStream;
}

/**
 * The entry names of the central directory, in order, repeats included (jszip's index keeps one
 * of each). Read from the records themselves; zip64 archives locate the directory through their
 * zip64 end record.
 */
function centralDirectoryNames(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.byteLength - 22; i >= Math.max(0, bytes.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return [];
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const record = Number(view.getBigUint64(eocd - 12, true));
    count = Number(view.getBigUint64(record + 32, true));
    offset = Number(view.getBigUint64(record + 48, true));
  }
  const names: string[] = [];
  const decoder = new TextDecoder('utf-8');
  for (let i = 0, at = offset; i < count && at + 46 <= bytes.byteLength; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) break;
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    names.push(decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

/** Entry count from the end-of-central-directory record, read before jszip builds its index. */
function declaredEntryCount(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stop = Math.max(0, bytes.byteLength - 22 - 0xffff);
  for (let i = bytes.byteLength - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      const count = view.getUint16(i + 10, true);
      // 0xffff means the real count is in a zip64 record; the per-entry checks still apply.
      return count === 0xffff ? 0 : count;
    }
  }
  return undefined;
}
