/**
 * A minimal zip writer for archive tests: unlike jszip's generator it writes entry names exactly as
 * given (`../x`, duplicates, NUL bytes) and lets a test set the mode bits a symlink carries.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  name: string;
  data: Uint8Array | string;
  /** Deflate (default) or store. */
  method?: 'deflate' | 'store';
  /** Unix mode in the high 16 bits of the external attributes (made by UNIX). */
  unixMode?: number;
  /** Lie about the CRC, to make the entry corrupt. */
  badCrc?: boolean;
  /**
   * Already deflated data and what it inflates to (`data` is then ignored): lets a test write a
   * zip bomb without holding its inflated size in memory.
   */
  deflated?: { data: Uint8Array; size: number; crc: number };
}

export interface ZipOptions {
  /** End the archive with zip64 records: the classic end record then says 0xffff entries. */
  zip64?: boolean;
}

export function writeZip(entries: readonly RawEntry[], options: ZipOptions = {}): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data) : Buffer.from(entry.data);
    const deflate = entry.deflated !== undefined || (entry.method ?? 'deflate') === 'deflate';
    const body = entry.deflated ? Buffer.from(entry.deflated.data) : deflate ? deflateRawSync(raw) : raw;
    const size = entry.deflated?.size ?? raw.length;
    const name = Buffer.from(entry.name, 'utf8');
    const crc = ((entry.deflated?.crc ?? crc32(raw)) ^ (entry.badCrc ? 0xffffffff : 0)) >>> 0;
    const method = deflate ? 8 : 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.unixMode === undefined ? 20 : (3 << 8) | 20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(entry.unixMode === undefined ? 0 : (entry.unixMode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, ...tail, end]));
}
