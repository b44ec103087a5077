import type { JobEvent, JobEventHub, JobEventMap, NewJobEvent } from './events.js';
import type { JobStore } from './job-store.js';

/** Minimum time between two stores of a job's progress within an epoch, in milliseconds. */
const PROGRESS_INTERVAL_MS = 1000;

/** A finished training batch, as every trainer reports it. */
export interface BatchDone {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

/** Stores and publishes the events of one job in order, without blocking the trainer. */
export class EventWriter {
  #tail: Promise<void> = Promise.resolve();
  #epochs = 1;
  #progressStoredAt = 0;

  constructor(
    private readonly jobId: string,
    private readonly store: JobStore,
    private readonly hub: JobEventHub,
  ) {}

  /** Writes the `started` event and keeps its planned epochs for the progress share. */
  started(data: JobEventMap['started']): void {
    this.#epochs = data.epochs;
    this.write({ type: 'started', data });
  }

  /**
   * Stores the share of batches done and writes a `progress` event, at most once per
   * {@link PROGRESS_INTERVAL_MS}.
   */
  batch(event: BatchDone): void {
    const now = Date.now();
    if (now - this.#progressStoredAt < PROGRESS_INTERVAL_MS) return;
    this.#progressStoredAt = now;
    const done = (event.epoch - 1) * event.batches + event.batch;
    const progress = Math.min(1, done / (event.batches * this.#epochs));
    this.#tail = this.#tail.then(() => this.store.recordProgress(this.jobId, progress));
    const { epoch, batch, batches, loss } = event;
    this.write({ type: 'progress', data: { epoch, batch, batches, loss, progress } });
  }

  /** Stores `event` after the events written before it, then publishes it. */
  write(event: NewJobEvent): void {
    this.#tail = this.#tail.then(async () => {
      if (event.type === 'epoch') {
        const { data } = event;
        await this.store.recordEpoch(this.jobId, data.epoch, data.epoch / data.epochs, data);
      }
      const stored: JobEvent = await this.store.appendEvent(this.jobId, event.type, event.data);
      this.hub.publish(this.jobId, stored);
    });
  }

  /** Waits until every event written so far is stored. */
  flush(): Promise<void> {
    return this.#tail;
  }
}
