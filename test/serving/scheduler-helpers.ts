import { expect, vi } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { BatchScheduler, type BatchSchedulerOptions } from '../../src/serving/scheduler/index.js';

/** A test input: an id to trace it through batches and its length in tokens. */
export interface Item {
  id: string;
  tokens: number;
}

export function item(id: string, tokens = 1): Item {
  return { id, tokens };
}

export function outputOf(input: Item): string {
  return `out:${input.id}`;
}

export function lengthOf(input: Item): number {
  return input.tokens;
}

/** One call of {@link ManualRuntime.runBatch} that waits for the test to finish it. */
export interface HeldBatch {
  ids: string[];
  /** `performance.now()` when the scheduler called `runBatch`. */
  startedAt: number;
  /** Resolves the batch with one output per input. */
  release(): void;
  resolveWith(outputs: unknown): void;
  fail(error: unknown): void;
}

/** A batch function whose batches finish only when the test releases them. */
export class ManualRuntime {
  readonly batches: HeldBatch[] = [];

  constructor() {
    openRuntimes.push(this);
  }

  readonly runBatch = (inputs: Item[]): Promise<string[]> =>
    new Promise<string[]>((resolve, reject) => {
      this.batches.push({
        ids: inputs.map((input) => input.id),
        startedAt: performance.now(),
        release: () => resolve(inputs.map(outputOf)),
        resolveWith: (outputs) => resolve(outputs as string[]),
        fail: reject,
      });
    });

  /** Ids of every batch so far, in call order. */
  get ids(): string[][] {
    return this.batches.map((batch) => batch.ids);
  }

  batch(index: number): HeldBatch {
    const batch = this.batches[index];
    if (batch === undefined) throw new Error(`batch ${index} has not started`);
    return batch;
  }

  async waitForBatches(count: number): Promise<void> {
    await vi.waitFor(() => expect(this.batches.length).toBe(count), {
      timeout: 1000,
      interval: 1,
    });
  }
}

/** A batch function that records each batch and returns its outputs at once. */
export function recordingRuntime(): {
  ids: string[][];
  runBatch: (inputs: Item[]) => Promise<string[]>;
} {
  const ids: string[][] = [];
  return {
    ids,
    runBatch: async (inputs) => {
      ids.push(inputs.map((input) => input.id));
      return inputs.map(outputOf);
    },
  };
}

const openRuntimes: ManualRuntime[] = [];
const openSchedulers: BatchScheduler<Item, string>[] = [];

/**
 * Releases every held batch and closes every scheduler made by {@link createScheduler}, so
 * that a test failing with a batch still held does not hang its `afterEach`.
 */
export async function closeAll(): Promise<void> {
  for (const runtime of openRuntimes.splice(0)) {
    for (const batch of runtime.batches) batch.release();
  }
  await Promise.all(openSchedulers.splice(0).map((scheduler) => scheduler.close()));
}

export function createScheduler(
  options: Partial<BatchSchedulerOptions<Item, string>> &
    Pick<BatchSchedulerOptions<Item, string>, 'runBatch'>,
): BatchScheduler<Item, string> {
  const scheduler = new BatchScheduler<Item, string>({
    lengthOf,
    maxQueueDelayMs: 0,
    // Most tests check count and token budgets alone; the padding bound has its own tests.
    maxPaddingRatio: Number.POSITIVE_INFINITY,
    ...options,
  });
  openSchedulers.push(scheduler);
  return scheduler;
}

/** Lets pending promise callbacks and due immediates run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits `promise` and returns the MaasError it rejects with; fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<MaasError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MaasError) return error;
    throw error;
  }
  throw new Error('expected a MaasError, but the promise resolved');
}
