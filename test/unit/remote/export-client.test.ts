import type { ServerResponse } from 'node:http';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveError,
  BadRequestError,
  ConfigError,
  ExportTimeoutError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
} from '../../../packages/astro-loader-confluence/src/errors.ts';
import { bulkExport, decodeBase64Strict, describeBatch, singleExport } from '../../../packages/astro-loader-confluence/src/remote/export-client.ts';
import { staticToken } from '../../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { useLoopback } from '../../helpers/loopback.ts';


const loopback = useLoopback();
const { serve } = loopback;
const httpClient = () => loopback.httpClient({ retries: 2 });

const auth = staticToken('export-client-test-token');
let zipBase64 = '';
let zipBytes: Uint8Array;

beforeAll(async () => {
  const zip = new JSZip();
  zip.file('docs.md', '# Docs\n');
  zip.file('docs/setup.md', '# Setup\n');
  zipBytes = await zip.generateAsync({ type: 'uint8array' });
  zipBase64 = Buffer.from(zipBytes).toString('base64');
});

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

describe('bulkExport', () => {
  it('posts the batch to {base}/bulkExport and decodes the archive', async () => {
    const seen: Array<{ path?: string; auth?: string; body: unknown }> = [];
    const base = await serve((req, res, body) => {
      seen.push({ path: req.url, auth: req.headers.authorization, body: JSON.parse(body) });
      json(res, 200, { success: true, exportId: 'exp-1', spaceKey: null, pageId: '42', pageCount: 2, zipBase64 });
    });
    const result = await bulkExport(httpClient(), auth, `${base}/apps/x`, { pageId: '42', bulkExport: true, maxPages: 100 });
    expect(result).toEqual({ exportId: 'exp-1', pageCount: 2, zip: expect.any(Uint8Array) });
    expect(Buffer.from(result.zip).equals(Buffer.from(zipBytes))).toBe(true);
    expect(seen).toEqual([{ path: '/apps/x/bulkExport', auth: 'Bearer export-client-test-token', body: { pageId: '42', bulkExport: true, maxPages: 100 } }]);
  });

  it('refuses a batch the app would refuse, before calling it', async () => {
    const http = httpClient();
    await expect(bulkExport(http, auth, 'http://127.0.0.1:9', {})).rejects.toBeInstanceOf(ConfigError);
    await expect(bulkExport(http, auth, 'http://127.0.0.1:9', { pageId: '1', maxPages: 101 })).rejects.toThrow(/1 to 100/);
    expect(http.stats().requests.export).toBe(0);
  });

  it('names the batch when the archive is not valid base64', async () => {
    const base = await serve((_req, res) => json(res, 200, { success: true, exportId: 'exp-2', pageCount: 1, zipBase64: `${zipBase64.slice(0, 40)}!!${zipBase64.slice(42)}` }));
    const error = await bulkExport(httpClient(), auth, base, { pageId: '7', bulkExport: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as Error).message).toMatch(/page 7 and its descendants \(export id exp-2\).*invalid base64/);
  });

  it('rejects an answer without an archive or with something that is not a ZIP', async () => {
    const answers = [{ success: true, exportId: 'e' }, { success: true, exportId: 'e', zipBase64: Buffer.from('hello world!').toString('base64') }];
    const base = await serve((_req, res) => json(res, 200, answers.shift()));
    await expect(bulkExport(httpClient(), auth, base, { spaceKey: 'DOCS' })).rejects.toThrow(/export of space DOCS answered with an unexpected shape \(zipBase64:/);
    await expect(bulkExport(httpClient(), auth, base, { spaceKey: 'DOCS' })).rejects.toThrow(/not a ZIP/);
  });

  it.each([
    [400, '{"error":"Missing spaceKey or pageId"}', BadRequestError],
    [403, '{"error":"App REST APIs are disabled"}', ForbiddenError],
    [404, '{"error":"No pages found"}', NotFoundError],
    [500, '{"error":"Response payload too large"}', PayloadTooLargeError],
    [504, 'Gateway Timeout', ExportTimeoutError],
  ] as const)('maps %i to the documented cause', async (status, body, kind) => {
    let calls = 0;
    const base = await serve((_req, res) => {
      calls++;
      res.writeHead(status);
      res.end(body);
    });
    await expect(bulkExport(httpClient(), auth, base, { pageId: '1', bulkExport: true })).rejects.toBeInstanceOf(kind);
    expect(calls).toBe(1);
  });
});

describe('singleExport', () => {
  it('returns the Markdown of a text/plain answer', async () => {
    let body: unknown;
    const base = await serve((_req, res, raw) => {
      body = JSON.parse(raw);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('# My Page\n\nCafé content\n');
    });
    expect(await singleExport(httpClient(), auth, base, { pageId: '9' })).toEqual({ kind: 'markdown', markdown: '# My Page\n\nCafé content\n' });
    expect(body).toEqual({ pageId: '9' });
  });

  it('returns the ZIP of a JSON answer with attachments', async () => {
    const base = await serve((_req, res) => json(res, 200, { success: true, exportId: 'e9', pageId: '9', title: 'My Page', zipBase64 }));
    const result = await singleExport(httpClient(), auth, base, { pageId: '9', includeAttachments: true });
    expect(result).toMatchObject({ kind: 'zip', exportId: 'e9', title: 'My Page' });
  });
});

describe('helpers', () => {
  it('decodeBase64Strict accepts only canonical base64', () => {
    expect(Buffer.from(decodeBase64Strict('aGk=')!).toString()).toBe('hi');
    expect(decodeBase64Strict('')).toHaveLength(0);
    for (const bad of ['aGk', 'aG k=', 'aGk=\n', 'a=Gk', 'aGk*', 'aGk===']) expect(decodeBase64Strict(bad)).toBeUndefined();
  });

  it('describeBatch names what a batch exports', () => {
    expect(describeBatch({ pageId: '1', bulkExport: true })).toBe('page 1 and its descendants');
    expect(describeBatch({ pageId: '1' })).toBe('page 1 alone');
    expect(describeBatch({ spaceKey: 'DOCS' })).toBe('space DOCS');
  });
});
