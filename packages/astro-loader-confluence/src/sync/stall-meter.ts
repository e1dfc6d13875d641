/**
 * How long the event loop was held in stretches of STALL_MS or more while the sync ran: work of
 * the same process that is not the sync's (Astro serialises its whole data store on the main thread
 * 500 ms after any change to it, seconds at 8,000 pages) stretches the sync's wall time without
 * being the sync's. The sync's own synchronous steps are far shorter; `npm run bench` reports the
 * figure beside the wall time (bench/README.md).
 */
const TICK_MS = 20;
const STALL_MS = 200;

export function startStallMeter(): { stop(): number } {
  let last = performance.now();
  let stalled = 0;
  let stopped = false;
  const check = () => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    if (late >= STALL_MS) stalled += late;
    last = now;
  };
  const timer = setInterval(check, TICK_MS);
  timer.unref();
  return {
    stop() {
      if (!stopped) {
        clearInterval(timer);
        check();
        stopped = true;
      }
      return stalled;
    },
  };
}
