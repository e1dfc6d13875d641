/**
 * Runs a queue with at most `concurrency` items in flight; work may push more items (a split
 * batch) while it runs. Resolves when the queue is empty and nothing is in flight; rejects on the
 * first failure and starts nothing after it.
 */
export function drainQueue<T>(queue: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (queue.length === 0 && active === 0) {
        resolve();
        return;
      }
      while (active < concurrency && queue.length > 0) {
        const item = queue.shift()!;
        active++;
        // Through a promise, so that work throwing synchronously still rejects the queue.
        Promise.resolve().then(() => work(item)).then(
          () => {
            active--;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
}
