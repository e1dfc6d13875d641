/**
 * Runs a queue with at most `concurrency` items in flight; work may push more items (a split
 * batch) while it runs. Resolves when the queue is empty and nothing is in flight. On the first
 * failure it starts nothing more, waits for the items already in flight, then rejects with that
 * first failure: a caller that cleans up after a failure (the sync discards its staging folder)
 * must not race work that is still writing.
 */
export function drainQueue<T>(queue: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let active = 0;
    let failure: { error: unknown } | undefined;
    const pump = () => {
      if (failure) {
        if (active === 0) reject(failure.error);
        return;
      }
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
            active--;
            failure ??= { error };
            pump();
          },
        );
      }
    };
    pump();
  });
}
