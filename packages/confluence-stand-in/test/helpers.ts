/** Shared helpers for the stand-in's tests: real HTTP with global fetch, archives read with JSZip. */
import JSZip from 'jszip';
import type { StandIn } from '../src/index.ts';

export function authHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

export async function post(s: StandIn, op: string, body: unknown, token = s.accessToken, base = s.exportUrl) {
  const res = await fetch(`${base}/${op}`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify(body) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function get(s: StandIn, path: string, token = s.accessToken, base = s.apiUrl) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

export async function unzip(zipBase64: string): Promise<{ paths: string[]; zip: JSZip }> {
  const zip = await JSZip.loadAsync(zipBase64, { base64: true });
  return { paths: Object.keys(zip.files), zip };
}

/** Raw entry names from the central directory (JSZip merges duplicates, so count them by hand). */
export function rawEntryNames(zipBase64: string): string[] {
  const buf = Buffer.from(zipBase64, 'base64');
  const names: string[] = [];
  for (let i = 0; i + 46 <= buf.length; ) {
    if (buf.readUInt32LE(i) !== 0x02014b50) {
      i++;
      continue;
    }
    const n = buf.readUInt16LE(i + 28);
    const extra = buf.readUInt16LE(i + 30);
    const comment = buf.readUInt16LE(i + 32);
    names.push(buf.subarray(i + 46, i + 46 + n).toString('utf8'));
    i += 46 + n + extra + comment;
  }
  return names;
}
