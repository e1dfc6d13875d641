/**
 * Confluence tiny links (`/wiki/x/CODE`): the page id as little-endian bytes, base64 with
 * `/`→`-` and `+`→`_`, padding and trailing `A`s (zero bits) trimmed. Page ids exceed 2^32 on
 * current sites, hence BigInt and eight bytes.
 */

export function tinyLinkCode(pageId: string | number | bigint): string {
  let id = BigInt(pageId);
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    bytes[i] = Number(id & 0xffn);
    id >>= 8n;
  }
  return Buffer.from(bytes)
    .toString('base64')
    .replace(/=+$/, '')
    .replace(/A+$/, '')
    .replace(/\//g, '-')
    .replace(/\+/g, '_');
}

/** The inverse, so the stand-in can resolve `/wiki/x/CODE` and tests can round-trip. */
export function pageIdFromTinyLinkCode(code: string): string {
  let b64 = code.replace(/-/g, '/').replace(/_/g, '+');
  b64 = b64.padEnd(12, 'A');
  const bytes = Buffer.from(b64, 'base64');
  let id = 0n;
  for (let i = Math.min(bytes.length, 8) - 1; i >= 0; i--) id = (id << 8n) | BigInt(bytes[i] ?? 0);
  return id.toString();
}
