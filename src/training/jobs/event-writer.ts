import type { TrainingEvent } from '../classification/events.js';
import type { JobEvent, JobEventHub, JobEventMap, JobEventType } from './events.js';
import type { JobStore } from './job-store.js';

/** Stores and publishes the events of one job in order, without blocking the trainer. */
export class EventWriter {
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobId: string,
    private readonly store: JobStore,
    private readonly hub: JobEventHub,
  ) {}

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
