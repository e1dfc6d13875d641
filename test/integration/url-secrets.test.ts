/**
 * Secrets in URLs (issue 11): a proxy password in the userinfo of the export or REST base URL
 * used to show in the retry log lines and in the final error. The pipeline runs against the
 * stand-in over real HTTP with both bases carrying credentials, every answer failing, and every
 * line it logs and every form of the error it throws is searched for the password.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { formatError } from '../../packages/astro-loader-confluence/src/errors.ts';
import { createHarness, standInOptions } from '../helpers/pipeline.ts';

describe('credentials in configured URLs', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0 });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  /** Every place a failed run could show a secret: the logs, and the error in all its forms, causes included. */
  async function failedRun(password: string, kind: 'export' | 'rest'): Promise<{ text: string; retries: string[] }> {
    const withUserinfo = (url: string) => url.replace('://', `://relay-user:${password}@`);
    const harness = createHarness(() => ({
      ...standInOptions(standIn),
      exportUrl: withUserinfo(standIn.exportUrl),
      apiUrl: withUserinfo(standIn.apiUrl),
      retries: 2,
      retryBaseDelayMs: 1,
    }));
    const undo = standIn.failAlways({ kind, status: 503 });
    try {
      const error = await harness.run().then(() => undefined, (e: unknown) => e as Error & { hint?: string });
      expect(error, 'the run fails').toBeDefined();
      const chain: string[] = [];
      for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
        chain.push(e instanceof Error ? `${e.message}\n${e.stack}` : String(e));
      }
      const retries = harness.logs.map((l) => l.message).filter((m) => m.startsWith('retrying'));
      return { text: [error!.message, error!.hint, String(error), JSON.stringify(error), formatError(error), ...chain, ...harness.logs.map((l) => l.message)].join('\n'), retries };
    } finally {
      undo();
      harness.cleanup();
    }
  }

  it.each(['export', 'rest'] as const)('never shows a proxy password in retry lines or the final error (%s calls failing)', async (kind) => {
    const password = `relay-secret-${randomBytes(6).toString('hex')}`;
    const { text, retries } = await failedRun(password, kind);
    expect(retries.length, 'the run retried and said so').toBeGreaterThan(0);
    // The line still says what was retried, with the credentials taken out.
    expect(retries[0]).toMatch(/^retrying (POST|GET) http:\/\/\[REDACTED\]@127\.0\.0\.1:\d+\//);
    for (const form of [password, encodeURIComponent(password), `relay-user:${password}`]) expect(text).not.toContain(form);
  });

  it('takes even a password too short to register as a token out of every URL', async () => {
    const { text, retries } = await failedRun('pw7', 'export');
    expect(retries.length).toBeGreaterThan(0);
    expect(text).not.toContain('relay-user:pw7@');
    expect(text).toContain('[REDACTED]@127.0.0.1');
  });
});
