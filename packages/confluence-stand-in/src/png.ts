/** A tiny PNG encoder, so generated spaces carry real (valid) image attachments without a dependency. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A solid-colour RGB image of the given size. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  return encode(width, height, Buffer.concat(Array.from({ length: height }, () => row)));
}

/**
 * An RGB image of seeded noise: it does not compress, so its file is about `width × height × 3`
 * bytes. For attachments of a given size (screenshots over the app's 300 KB and 2 MB limits).
 */
export function noisePng(width: number, height: number, seed = 1): Uint8Array {
  const raw = Buffer.alloc(height * (1 + width * 3));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < raw.length; i++) {
    if (i % (1 + width * 3) === 0) continue; // filter byte: none
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    raw[i] = state & 0xff;
  }
  return encode(width, height, raw);
}

function encode(width: number, height: number, raw: Buffer): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}
