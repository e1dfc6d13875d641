import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from '../../packages/astro-loader-confluence/src/config/options.ts';
import { DEV_REFRESH_DEFAULTS, devRefreshInterval, startDevRefresh } from '../../packages/astro-loader-confluence/src/dev-refresh.ts';

const options = (extra: object) => resolveOptions({ spaceKey: 'DOCS', accessToken: 't', ...extra });

describe('devRefreshInterval', () => {
  it('is short against a stand-in on this machine, longer against a real site, off for a snapshot, and follows devRefreshMs', () => {
    expect(devRefreshInterval(options({ exportUrl: 'http://127.0.0.1:4010/svc/x', apiUrl: 'http://127.0.0.1:4010/ex/y' }))).toBe(DEV_REFRESH_DEFAULTS.loopbackMs);
    expect(devRefreshInterval(options({ site: 'acme.atlassian.net' }))).toBe(DEV_REFRESH_DEFAULTS.remoteMs);
    expect(devRefreshInterval(options({ exportUrl: 'http://127.0.0.1:4010/svc/x', apiUrl: 'https://api.atlassian.com/ex/y' }))).toBe(DEV_REFRESH_DEFAULTS.remoteMs);
    expect(devRefreshInterval(options({ snapshot: 'snapshots/v1' }))).toBe(0);
    expect(devRefreshInterval(options({ devRefreshMs: 10_000 }))).toBe(10_000);
    expect(devRefreshInterval(options({ devRefreshMs: 0, exportUrl: 'http://127.0.0.1:1/x' }))).toBe(0);
  });

  it('refuses an interval that would hammer the API', () => {
    expect(() => options({ devRefreshMs: 10 })).toThrow(/devRefreshMs 10 is not 0 or a whole number of at least 500/);
  });
});

describe('startDevRefresh', () => {
  afterEach(() => vi.useRealTimers());

  it('syncs once per interval after the previous sync ended, keeps going after a failure, and stops', async () => {
    vi.useFakeTimers();
    let runs = 0;
    const errors: unknown[] = [];
    const refresh = startDevRefresh(1_000, async () => {
      runs++;
      if (runs === 2) throw new Error('Confluence had a bad moment');
    }, (error) => errors.push(error));
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toBe(3);
    expect(errors).toHaveLength(1);
    refresh.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(3);
  });
});
