/**
 * Throwaway HTTP servers on 127.0.0.1 for unit tests of the network edge: each test gets its own,
 * closed after it, and the handler sees the whole request body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../packages/astro-loader-confluence/src/remote/http-client.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export function useLoopback() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  /** Starts a server; resolves to its `http://127.0.0.1:PORT` origin. */
  async function serve(handler: Handler): Promise<string> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => handler(req, res, body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** An HTTP client that never really sleeps between retries. */
  function httpClient(options: HttpClientOptions = {}): HttpClient {
    const http = createHttpClient({ sleep: async () => {}, retries: 1, ...options });
    cleanups.push(() => http.close());
    return http;
  }

  return { serve, httpClient, cleanups };
}
