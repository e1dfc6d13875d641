/**
 * `astro dev` follows Confluence: after the first load, the loader syncs again every few seconds,
 * so an edit in Confluence (or in the stand-in) reaches the browser by itself; Astro reloads the
 * page when the data store changes. A sync with nothing changed costs the tree and restriction
 * look-ups and no export call. Runs only in dev, one sync at a time; a failed refresh keeps the
 * content as it was and is tried again at the next tick.
 */
import type { ResolvedOptions } from './config/options.ts';

/** Default pause between two syncs in dev: short against a stand-in on this machine, longer against a real site. */
export const DEV_REFRESH_DEFAULTS = { loopbackMs: 3_000, remoteMs: 60_000 } as const;

const LOOPBACK = /^(127\.|localhost$|\[::1\]$)/;

/** Milliseconds between syncs in dev (0: never), from `devRefreshMs` or the defaults above. */
export function devRefreshInterval(options: ResolvedOptions): number {
  if (options.devRefreshMs !== undefined) return options.devRefreshMs;
  if (options.snapshot) return 0;
  const hosts = [options.exportUrl, options.apiUrl].filter((url): url is string => url !== undefined).map((url) => new URL(url).hostname);
  return hosts.length > 0 && hosts.every((host) => LOOPBACK.test(host)) ? DEV_REFRESH_DEFAULTS.loopbackMs : DEV_REFRESH_DEFAULTS.remoteMs;
}

export interface DevRefresh {
  stop(): void;
}

/** Runs `sync` every `intervalMs` after the previous one ended; `onError` is told about failures. */
export function startDevRefresh(intervalMs: number, sync: () => Promise<void>, onError: (error: unknown) => void): DevRefresh {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      await sync();
    } catch (error) {
      onError(error);
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), intervalMs);
    // The dev server keeps the process alive; this timer alone must not.
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
