import type { TrainingEvent } from '../classification/events.js';
import type { JobEvent, JobEventHub, JobEventMap, JobEventType } from './events.js';
import type { JobStore } from './job-store.js';

/** Minimum time between two stores of a job's progress within an epoch, in milliseconds. */
const PROGRESS_INTERVAL_MS = 1000;

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

  /** Stores the job event of a trainer event, and the progress within an epoch. */
  writeTrainingEvent(event: TrainingEvent): void {
    if (event.type === 'started') this.#epochs = event.epochs;
    if (event.type === 'batch') this.#storeProgress(event);
    this.write(trainingEventOf(event));
  }

  /** Stores `event` after the events written before it, then publishes it. */
  write(event: { type: JobEventType; data: JobEventMap[JobEventType] } | undefined): void {
    if (event === undefined) return;
    this.#tail = this.#tail.then(async () => {
      if (event.type === 'epoch') {
        const data = event.data as JobEventMap['epoch'];
        await this.store.recordEpoch(this.jobId, data.epoch, data.epoch / data.epochs, data);
      }
      const stored: JobEvent = await this.store.appendEvent(this.jobId, event.type, event.data);
      this.hub.publish(this.jobId, stored);
    });
  }

  /** Stores the share of batches done, at most once per {@link PROGRESS_INTERVAL_MS}. */
  #storeProgress(event: Extract<TrainingEvent, { type: 'batch' }>): void {
    const now = Date.now();
    if (now - this.#progressStoredAt < PROGRESS_INTERVAL_MS) return;
    this.#progressStoredAt = now;
    const done = (event.epoch - 1) * event.batches + event.batch;
    const progress = Math.min(1, done / (event.batches * this.#epochs));
    this.#tail = this.#tail.then(() => this.store.recordProgress(this.jobId, progress));
  }

  /** Waits until every event written so far is stored. */
  flush(): Promise<void> {
    return this.#tail;
  }
}

/** Maps a trainer event to a job event; batch and early-stop events are not stored. */
export function trainingEventOf(
  event: TrainingEvent,
): { type: JobEventType; data: JobEventMap[JobEventType] } | undefined {
  switch (event.type) {
    case 'started':
      return {
        type: 'started',
        data: {
          train_rows: event.trainExamples,
          validation_rows: event.validationExamples,
          vocabulary_size: event.vocabularySize,
          batches_per_epoch: event.batchesPerEpoch,
          epochs: event.epochs,
        },
      };
    case 'epoch':
      return {
        type: 'epoch',
        data: {
          epoch: event.epoch,
          epochs: event.epochs,
          loss: event.loss,
          accuracy: event.accuracy,
          val_loss: event.valLoss,
          val_accuracy: event.valAccuracy,
          elapsed_ms: event.elapsedMs,
          improved: event.improved,
        },
      };
    default:
      return undefined;
  }
}
