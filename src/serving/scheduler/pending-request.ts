import type { SizedEntry } from './batch-selection.js';

/** One input of a request, from the time it is queued until its batch finishes. */
export interface QueueEntry<Input, Output> extends SizedEntry {
  readonly request: PendingRequest<Output>;
  /** Position of the input in its request. */
  readonly index: number;
  readonly input: Input;
  /** Token count that `lengthOf` returned; `length` is this count, at least 1. */
  readonly tokens: number;
  /** `performance.now()` when the entry was queued. */
  readonly enqueuedAt: number;
}

/**
 * The promise of one submitted request and the outputs collected for it so far. Once settled,
 * it ignores further outputs and errors, so a late batch cannot resolve a rejected request.
 */
export class PendingRequest<Output> {
  readonly promise: Promise<Output[]>;
  /** Number of entries still in the queue, not yet taken into a batch. */
  queuedCount = 0;
  #settled = false;
  #remaining: number;
  readonly #outputs: Output[];
  readonly #cleanups: (() => void)[] = [];
  #resolve!: (outputs: Output[]) => void;
  #reject!: (error: unknown) => void;

  constructor(size: number) {
    this.#remaining = size;
    this.#outputs = new Array<Output>(size);
    this.promise = new Promise<Output[]>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Registers `cleanup` to run once when the request resolves or rejects. */
  onSettle(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  /** Stores the output of input `index` and resolves once every input has one. */
  deliver(index: number, output: Output): void {
    if (this.#settled) return;
    this.#outputs[index] = output;
    this.#remaining -= 1;
    if (this.#remaining === 0) {
      this.#settle();
      this.#resolve(this.#outputs);
    }
  }

  reject(error: unknown): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(error);
  }

  #settle(): void {
    this.#settled = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
