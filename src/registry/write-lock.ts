/** Mutual exclusion by chaining each task onto the promise of the previous one. */
export class PromiseChainMutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task submitted before it has settled, and returns its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Lock that every registry write transaction in this process takes, shared by all Registry
 * instances. better-sqlite3 waits for SQLite's write lock synchronously. Without this lock, a
 * second instance on the same file would block the event loop until `busy_timeout` while the
 * first awaited a file operation inside its transaction, and would then fail with SQLITE_BUSY.
 */
export const registryWriteLock = new PromiseChainMutex();
