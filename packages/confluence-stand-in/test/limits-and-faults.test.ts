import { afterEach, describe, expect, it } from 'vitest';
import { start, type SpaceSpec, type StandIn } from '../src/index.ts';
import { post, unzip } from './helpers.ts';

const KB = 1024;
/** Incompressible filler, so archive sizes track attachment sizes. */
const bytes = (n: number, seed = 7) => {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

function attachmentSpace(): SpaceSpec {
  return {
    key: 'ATT',
    name: 'Attachments',
    id: '7',
    site: 'att.atlassian.net',
    pages: [
      {
        id: '1',
        title: 'Root',
        position: 0,
        body: '![a](attachments/small.png)',
        attachments: [
          { fileName: 'small.png', mediaType: 'image/png', data: bytes(10 * KB) },
          { fileName: 'huge.bin', mediaType: 'application/octet-stream', data: bytes(300 * KB + 1) },
          { fileName: 'Sync flow.png', mediaType: 'image/png', data: bytes(300 * KB) },
        ],
      },
      ...Array.from({ length: 8 }, (_, i) => ({
        id: String(10 + i),
        title: `Child ${i}`,
        parentId: '1',
        position: i,
        body: `child ${i}`,
        attachments: [{ fileName: `c${i}.bin`, mediaType: 'application/octet-stream', data: bytes(290 * KB, i) }],
      })),
    ],
  };
}

let s: StandIn | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('attachment and response limits', () => {
  it('leaves out files over 300 KB and everything beyond 2 MB per export', async () => {
    s = await start({ space: attachmentSpace() });
    const r = await post(s, 'bulkExport', { pageId: '1', bulkExport: true, includeAttachments: true });
    expect(r.status).toBe(200);
    const { paths, zip } = await unzip(r.json.zipBase64);
    expect(paths).toContain('attachments/small.png');
    expect(paths).toContain('attachments/Sync flow.png');
    expect(paths).not.toContain('attachments/huge.bin');
    const sizes = await Promise.all(
      paths.filter((p) => p.includes('attachments/') && !p.endsWith('/')).map(async (p) => (await zip.file(p)!.async('uint8array')).length),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(2 * 1024 * KB);
    // 10 KB + 300 KB + five 290 KB files fit (1,760 KB); a sixth would make 2,050 KB > 2,048 KB.
    expect(paths.filter((p) => /^root\/attachments\/c\d\.bin$/.test(p))).toEqual(
      ['c0', 'c1', 'c2', 'c3', 'c4'].map((n) => `root/attachments/${n}.bin`),
    );
    expect(total).toBe(10 * KB + 300 * KB + 5 * 290 * KB);
  });

  it('writes no attachments unless asked', async () => {
    s = await start({ space: attachmentSpace() });
    const r = await post(s, 'bulkExport', { pageId: '1', bulkExport: true });
    expect((await unzip(r.json.zipBase64)).paths.some((p) => p.includes('attachments/'))).toBe(false);
  });

  it('answers 500 "payload too large" when the response would exceed the limit', async () => {
    s = await start({ space: attachmentSpace(), maxResponseBytes: 500 * KB });
    const r = await post(s, 'bulkExport', { pageId: '1', bulkExport: true, includeAttachments: true });
    expect(r.status).toBe(500);
    expect(r.json.message).toContain('payload too large');
    expect((await post(s, 'bulkExport', { pageId: '1', bulkExport: true })).status).toBe(200);
  });

  it('answers 504 "timed out" when simulated function time exceeds the limit', async () => {
    s = await start({ space: attachmentSpace(), exportCostMs: 30, functionTimeoutMs: 100 });
    const t0 = Date.now();
    const r = await post(s, 'bulkExport', { pageId: '1', bulkExport: true });
    expect(r.status).toBe(504);
    expect(r.json.message).toContain('timed out');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect((await post(s, 'bulkExport', { pageId: '10' })).status).toBe(200);
  });
});

describe('fault injection', () => {
  const sequence = async (seed: number) => {
    const server = await start({ space: attachmentSpace(), faults: { rate: 0.5, seed, retryAfter: 2 } });
    try {
      const out: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await post(server, 'bulkExport', { pageId: '10' });
        out.push(r.status);
        if (r.status === 429 || r.status === 503) expect(r.headers.get('retry-after')).toBe('2');
      }
      return out;
    } finally {
      await server.stop();
    }
  };

  it('is seeded: the same seed gives the same sequence, another seed another one', async () => {
    const a = await sequence(11);
    expect(await sequence(11)).toEqual(a);
    expect(await sequence(12)).not.toEqual(a);
    expect(a.filter((x) => x === 200).length).toBeGreaterThan(5);
    expect(a.filter((x) => x !== 200).every((x) => [429, 500, 502, 503, 504].includes(x))).toBe(true);
  });

  it('can drop connections and restrict statuses', async () => {
    s = await start({ space: attachmentSpace() });
    s.setFaults({ rate: 1, seed: 1, statuses: [], drop: true });
    await expect(post(s, 'bulkExport', { pageId: '10' })).rejects.toThrow();
    s.setFaults({ rate: 1, seed: 1, statuses: [502] });
    expect((await post(s, 'bulkExport', { pageId: '10' })).status).toBe(502);
    s.clearFaults();
    expect((await post(s, 'bulkExport', { pageId: '10' })).status).toBe(200);
  });

  it('fails a page permanently, including any export that contains it, until removed', async () => {
    s = await start({ space: attachmentSpace() });
    const remove = s.failAlways({ kind: 'export', pageId: '12' });
    const whole = await post(s, 'bulkExport', { pageId: '1', bulkExport: true });
    expect(whole.status).toBe(500);
    expect(whole.json.message).toContain('Unexpected server error');
    expect((await post(s, 'bulkExport', { pageId: '12' })).status).toBe(500);
    expect((await post(s, 'bulkExport', { pageId: '11' })).status).toBe(200);
    remove();
    expect((await post(s, 'bulkExport', { pageId: '12' })).status).toBe(200);
    s.failAlways((req) => (req.kind === 'export' && (req.body as any)?.pageId === '13' ? 503 : false));
    expect((await post(s, 'bulkExport', { pageId: '13' })).status).toBe(503);
    expect(s.log.at(-1)?.fault).toBe('permanent');
  });

  it('adds latency', async () => {
    s = await start({ space: attachmentSpace() });
    s.setLatency({ exportMs: 120 });
    const t0 = Date.now();
    await post(s, 'bulkExport', { pageId: '10' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });
});
