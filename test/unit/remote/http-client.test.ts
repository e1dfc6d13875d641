import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ExportTimeoutError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../../../packages/astro-loader-confluence/src/errors.ts';
import {
  backoffDelay,
  createHttpClient,
  createSemaphore,
  parseRetryAfter,
  type HttpClient,
  type HttpClientOptions,
  type RetryEvent,
} from '../../../packages/astro-loader-confluence/src/remote/http-client.ts';
import type { TokenProvider } from '../../../packages/astro-loader-confluence/src/remote/token-provider.ts';
import { useLoopback } from '../../helpers/loopback.ts';

const { serve, cleanups } = useLoopback();

/** A client whose waits are recorded instead of slept, with jitter fixed at half the window. */
function client(options: HttpClientOptions = {}): { http: HttpClient; sleeps: number[]; retries: RetryEvent[] } {
  const sleeps: number[] = [];
  const retries: RetryEvent[] = [];
  const http = createHttpClient({
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRetry: (event) => retries.push(event),
    ...options,
  });
  cleanups.push(() => http.close());
  return { http, sleeps, retries };
}

function reply(res: ServerResponse, status: number, body: unknown = {}, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('createHttpClient: retries', () => {
  it('retries 503 with full-jitter exponential backoff and counts every request', async () => {
    let calls = 0;
    const url = await serve((_req, res) => (++calls <= 3 ? reply(res, 503) : reply(res, 200, { ok: true })));
    const { http, sleeps, retries } = client({ baseDelayMs: 100 });
    const response = await http.request({ method: 'GET', url, kind: 'rest' });
    expect(response.json()).toEqual({ ok: true });
    expect(calls).toBe(4);
    // random() = 0.5 → half of 100, 200, 400.
    expect(sleeps).toEqual([50, 100, 200]);
    expect(retries.map((r) => [r.retry, r.reason])).toEqual([[1, '503'], [2, '503'], [3, '503']]);
    expect(http.stats()).toMatchObject({ requests: { rest: 4, export: 0, auth: 0 }, retries: 3 });
  });

  it('retries 429, 500, 502 and 504 on REST', async () => {
    const statuses = [429, 500, 502, 504];
    const url = await serve((_req, res) => reply(res, statuses.shift() ?? 200));
    const { http } = client();
    expect((await http.request({ method: 'GET', url, kind: 'rest' })).status).toBe(200);
    expect(http.stats().requests.rest).toBe(5);
  });

  it('honours Retry-After in seconds, and caps it', async () => {
    const answers: Array<[number, Record<string, string>]> = [[429, { 'retry-after': '7' }], [429, { 'retry-after': '3600' }], [200, {}]];
    const url = await serve((_req, res) => {
      const [status, headers] = answers.shift()!;
      reply(res, status, {}, headers);
    });
    const { http, sleeps } = client({ retryAfterCapMs: 60_000 });
    await http.request({ method: 'GET', url, kind: 'export' });
    expect(sleeps).toEqual([7000, 60_000]);
  });

  it('honours Retry-After as an HTTP-date, against the injected clock', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    let calls = 0;
    const url = await serve((_req, res) =>
      ++calls === 1 ? reply(res, 503, {}, { 'retry-after': 'Wed, 01 Jan 2025 00:00:04 GMT' }) : reply(res, 200),
    );
    const { http, sleeps } = client({ now: () => now });
    await http.request({ method: 'GET', url, kind: 'rest' });
    expect(sleeps).toEqual([4000]);
  });

  it('gives up after the configured retries with a typed error saying how many attempts', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      reply(res, 429);
    });
    const { http } = client({ retries: 2 });
    const error = await http.request({ method: 'GET', url, kind: 'rest' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as Error).message).toMatch(/Gave up after 3 attempts/);
    expect((error as Error).message).toContain(`GET ${url} → 429`);
    expect(calls).toBe(3);
  });

  it.each([
    [400, 'export', 'BadRequestError'],
    [401, 'export', AuthError.name],
    [403, 'export', ForbiddenError.name],
    [404, 'export', NotFoundError.name],
  ] as const)('does not retry %i', async (status, kind, name) => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      reply(res, status, { message: 'nope' });
    });
    const { http, sleeps } = client();
    const error = await http.request({ method: 'POST', url, kind, json: {} }).catch((e: unknown) => e);
    expect((error as Error).name).toBe(name);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('hands back statuses the caller accepts instead of throwing', async () => {
    const url = await serve((_req, res) => reply(res, 404, { message: 'gone' }));
    const { http } = client();
    const response = await http.request({ method: 'GET', url, kind: 'rest', acceptStatus: [404] });
    expect(response.status).toBe(404);
    expect(response.json()).toEqual({ message: 'gone' });
  });

  it('surfaces a too-large or too-slow export at once so the caller splits the batch', async () => {
    const answers: Array<[number, string]> = [[500, '{"message":"Response payload too large: exceeds 5 MB"}'], [504, 'Gateway Timeout'], [500, 'function timed out']];
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      const [status, body] = answers.shift()!;
      reply(res, status, body);
    });
    const { http } = client();
    const request = { method: 'POST', url, kind: 'export', json: { pageId: '1' } } as const;
    await expect(http.request(request)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(http.request(request)).rejects.toBeInstanceOf(ExportTimeoutError);
    await expect(http.request(request)).rejects.toBeInstanceOf(ExportTimeoutError);
    expect(calls).toBe(3);
  });

  it('retries a dropped connection', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      if (++calls === 1) req.socket.destroy();
      else reply(res, 200, { ok: 1 });
    });
    const { http, retries } = client();
    expect((await http.request({ method: 'GET', url, kind: 'rest' })).json()).toEqual({ ok: 1 });
    expect(calls).toBe(2);
    expect(retries).toHaveLength(1);
  });

  it('fails with a NetworkError naming the request when the connection is refused every time', async () => {
    const url = await serve(() => {});
    await cleanups.pop()!(); // close the server: its port now refuses connections
    const { http } = client({ retries: 1 });
    const error = await http.request({ method: 'GET', url: `${url}/wiki`, kind: 'rest' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).toContain(`GET ${url}/wiki`);
    expect(http.stats().requests.rest).toBe(2);
  });
});

describe('createHttpClient: time limits', () => {
  it('retries an attempt that outlives the per-request timeout, then names both limits', async () => {
    let calls = 0;
    const url = await serve(() => {
      calls++; // never answers
    });
    const { http, retries } = client({ requestTimeoutMs: 50, retries: 1 });
    const error = await http.request({ method: 'GET', url, kind: 'rest' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/requestTimeoutMs/);
    expect((error as Error).message).toMatch(/deadlineMs/);
    // Attempts as the client made them: on a loaded machine an attempt may time out before the
    // server has even read it, so what the server counted is at most that.
    expect(http.stats().requests.rest).toBe(2);
    expect(calls).toBeLessThanOrEqual(2);
    expect(retries.map((r) => r.reason)).toEqual(['timeout']);
  });

  it('stops at the overall deadline instead of sleeping past it', async () => {
    let clock = 0;
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      reply(res, 503);
    });
    const http = createHttpClient({
      deadlineMs: 10_000,
      retries: 100,
      baseDelayMs: 1000,
      maxDelayMs: 4000,
      random: () => 0.99,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    cleanups.push(() => http.close());
    const error = await http.request({ method: 'GET', url, kind: 'rest' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/overall deadline of 10 s \(deadlineMs\)/);
    expect((error as Error).message).toMatch(/requestTimeoutMs/);
    // Waits of 990 + 1980 + 3960 + 3960 = 10 890 ms would overshoot: the fourth is never slept.
    expect(clock).toBeLessThan(10_000);
    expect(calls).toBe(4);
  });
});

describe('createHttpClient: concurrency', () => {
  it('never has more requests in flight than the limit, across every caller and kind', async () => {
    let inFlight = 0;
    let peak = 0;
    const url = await serve((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        reply(res, 200);
      }, 5);
    });
    const { http } = client({ concurrency: 3 });
    const kinds = ['export', 'rest', 'auth'] as const;
    await Promise.all(Array.from({ length: 30 }, (_, i) => http.request({ method: 'GET', url: `${url}/${i}`, kind: kinds[i % 3]! })));
    expect(peak).toBe(3);
    expect(http.stats().peakConcurrency).toBe(3);
    expect(http.stats().requests).toEqual({ export: 10, rest: 10, auth: 10 });
  });

  it('releases its slot while waiting to retry, so other requests proceed', async () => {
    const order: string[] = [];
    const url = await serve((req, res) => {
      order.push(req.url!);
      reply(res, req.url === '/flaky' && order.filter((u) => u === '/flaky').length === 1 ? 503 : 200);
    });
    let releaseSleep!: () => void;
    let sleeping!: () => void;
    const asleep = new Promise<void>((resolve) => (sleeping = resolve));
    const http = createHttpClient({
      concurrency: 1,
      sleep: () => {
        sleeping();
        return new Promise<void>((resolve) => (releaseSleep = resolve));
      },
    });
    cleanups.push(() => http.close());
    const flaky = http.request({ method: 'GET', url: `${url}/flaky`, kind: 'rest' });
    await asleep;
    await http.request({ method: 'GET', url: `${url}/other`, kind: 'rest' });
    releaseSleep();
    await flaky;
    expect(order).toEqual(['/flaky', '/other', '/flaky']);
  });

  it('createSemaphore queues beyond the limit and hands slots over in order', async () => {
    const semaphore = createSemaphore(2);
    const a = await semaphore.acquire();
    await semaphore.acquire();
    let thirdGranted = false;
    const third = semaphore.acquire().then((release) => {
      thirdGranted = true;
      return release;
    });
    await Promise.resolve();
    expect(thirdGranted).toBe(false);
    a();
    a(); // releasing twice must not free a second slot
    (await third)();
    expect(semaphore.active()).toBe(1);
  });
});

describe('createHttpClient: auth', () => {
  it('sends the bearer token and JSON body', async () => {
    let seen: { auth?: string; type?: string; body?: string } = {};
    const url = await serve((req, res, body) => {
      seen = { auth: req.headers.authorization, type: req.headers['content-type'], body };
      reply(res, 200);
    });
    const { http } = client();
    await http.request({ method: 'POST', url, kind: 'export', json: { pageId: '42' }, auth: { getToken: async () => 'tok-123456789' } });
    expect(seen).toEqual({ auth: 'Bearer tok-123456789', type: 'application/json', body: '{"pageId":"42"}' });
  });

  it('refreshes a refreshable token once after a 401 and retries', async () => {
    const url = await serve((req, res) => reply(res, req.headers.authorization === 'Bearer new-token-1234' ? 200 : 401));
    let token = 'old-token-1234';
    const refused: string[] = [];
    const auth: TokenProvider = {
      getToken: async () => token,
      refreshAfterUnauthorized: async (rejected) => {
        refused.push(rejected);
        token = 'new-token-1234';
        return token;
      },
    };
    const { http } = client();
    expect((await http.request({ method: 'GET', url, kind: 'export', auth })).status).toBe(200);
    expect(refused).toEqual(['old-token-1234']);
    expect(http.stats().requests.export).toBe(2);
  });

  it('refreshes at most once: a second 401 is an AuthError', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      reply(res, 401);
    });
    let refreshes = 0;
    const auth: TokenProvider = {
      getToken: async () => `token-number-${refreshes}`,
      refreshAfterUnauthorized: async () => `token-number-${++refreshes}`,
    };
    const { http } = client();
    await expect(http.request({ method: 'GET', url, kind: 'export', auth })).rejects.toBeInstanceOf(AuthError);
    expect(refreshes).toBe(1);
    expect(calls).toBe(2);
  });

  it('does not retry a 401 with a static token', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      reply(res, 401);
    });
    const { http } = client();
    await expect(http.request({ method: 'GET', url, kind: 'export', auth: { getToken: async () => 'static-token-1' } })).rejects.toBeInstanceOf(AuthError);
    expect(calls).toBe(1);
  });

  it('reports a server error that persists as a ServerError', async () => {
    const url = await serve((_req, res) => reply(res, 500, 'boom'));
    const { http } = client({ retries: 0 });
    await expect(http.request({ method: 'GET', url, kind: 'rest' })).rejects.toBeInstanceOf(ServerError);
  });
});

describe('pure helpers', () => {
  it('backoffDelay grows exponentially up to the cap, scaled by the random draw', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 500, 30_000, () => 0.999999))).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999]);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(0);
  });

  it('parseRetryAfter reads seconds and HTTP-dates, clamped to [0, cap]', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now, 60_000)).toBe(2000);
    expect(parseRetryAfter('0.5', now, 60_000)).toBe(500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now, 60_000)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now, 60_000)).toBe(0);
    expect(parseRetryAfter('999', now, 60_000)).toBe(60_000);
    expect(parseRetryAfter('soon', now, 60_000)).toBeUndefined();
    expect(parseRetryAfter(undefined, now, 60_000)).toBeUndefined();
  });
});
