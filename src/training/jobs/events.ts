import { EventEmitter } from 'node:events';

import type { JobState } from './states.js';

/** Fields of each event type of a training job, as sent over server-sent events. */
export interface JobEventMap {
  /** The job entered a state; `error` for `failed`, `model_version` for `succeeded`. */
  state: {
    state: JobState;
    error?: { code: string; message: string };
    model_version?: number;
  };
  /**
   * Training started: the row counts (sentences for a tagger, predicates for a role tagger)
   * and the planned work.
   */
  started: {
    train_rows: number;
    validation_rows: number;
    vocabulary_size: number;
    batches_per_epoch: number;
    epochs: number;
  };
  /** Progress within training, sent at most once a second while batches run. */
  progress: {
    epoch: number;
    batch: number;
    batches: number;
    /** Loss of the last batch. */
    loss: number;
    /** Share of all planned batches done, from 0 to 1. */
    progress: number;
  };
  /**
   * One epoch finished: a classifier's loss and accuracy, a tagger's span F1 or a role
   * tagger's argument F1.
   */
  epoch: ClassifierEpochData | TaggerEpochData | SrlEpochData;
  /** Training finished and the version is registered: the evaluation report. */
  report: {
    model: string;
    model_version: number;
    best_epoch: number;
    duration_ms: number;
    validation: unknown;
  };
}
export type JobEventType = keyof JobEventMap;

/** Fields of the `epoch` event of a text classification job. */
export interface ClassifierEpochData {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  elapsed_ms: number;
  improved: boolean;
}

/** Fields of the `epoch` event of a tagger job; `val_f1` is the conlleval span F1. */
export interface TaggerEpochData {
  epoch: number;
  epochs: number;
  loss: number;
  val_f1: number;
  val_token_accuracy: number;
  elapsed_ms: number;
  improved: boolean;
}

/**
 * Fields of the `epoch` event of a semantic role labeling job. `val_f1` is the argument F1 of
 * the validation predicates, as `computeArgumentReport` scores it.
 */
export interface SrlEpochData {
  epoch: number;
  epochs: number;
  loss: number;
  val_f1: number;
  elapsed_ms: number;
  improved: boolean;
}

/** A job event before it is stored: its type and fields. */
export type NewJobEvent = {
  [Type in JobEventType]: { type: Type; data: JobEventMap[Type] };
}[JobEventType];

/** A stored event: its number within the job, its type and its fields. */
export interface JobEvent<Type extends JobEventType = JobEventType> {
  seq: number;
  type: Type;
  data: JobEventMap[Type];
}

/**
 * In-process fan-out of job events to live subscribers. Events are stored first, so a
 * subscriber that misses one here finds it in the store.
 */
export class JobEventHub {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open event stream; the count is bounded by the connections.
    this.#emitter.setMaxListeners(0);
  }

  /** Sends `event` of job `jobId` to its subscribers. */
  publish(jobId: string, event: JobEvent): void {
    this.#emitter.emit(jobId, event);
  }

  /** Returns the number of live subscribers of job `jobId`. */
  subscriberCount(jobId: string): number {
    return this.#emitter.listenerCount(jobId);
  }

  /** Calls `listener` with each later event of job `jobId`, until the returned function runs. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    this.#emitter.on(jobId, listener);
    return () => this.#emitter.off(jobId, listener);
  }
}
