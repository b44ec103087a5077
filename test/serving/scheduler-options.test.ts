import { describe, expect, it } from 'vitest';

import {
  BatchScheduler,
  DEFAULT_SCHEDULER_LIMITS,
  type BatchSchedulerOptions,
} from '../../src/serving/scheduler/index.js';
import { catchMaasError } from '../training/datasets/helpers.js';
import { lengthOf, recordingRuntime, type Item } from './scheduler-helpers.js';

const VALID: BatchSchedulerOptions<Item, string> = {
  runBatch: recordingRuntime().runBatch,
  lengthOf,
};

describe('DEFAULT_SCHEDULER_LIMITS', () => {
  it('matches the serving settings', () => {
    expect(DEFAULT_SCHEDULER_LIMITS).toEqual({
      maxBatchSize: 32,
      maxBatchTokens: 16_384,
      maxQueueDelayMs: 0,
      maxQueueLength: 1024,
      maxConcurrentBatches: 1,
      maxPaddingRatio: 1.5,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_SCHEDULER_LIMITS)).toBe(true);
  });
});

describe('BatchScheduler options', () => {
  it('fills in the defaults', () => {
    const scheduler = new BatchScheduler(VALID);

    expect(scheduler.limits).toEqual(DEFAULT_SCHEDULER_LIMITS);
    expect(scheduler.name).toBe('model');
  });

  it('keeps given limits', () => {
    const scheduler = new BatchScheduler({
      ...VALID,
      name: 'sentiment-zh@3',
      maxBatchSize: 4,
      maxQueueDelayMs: 0,
    });

    expect(scheduler.limits.maxBatchSize).toBe(4);
    expect(scheduler.limits.maxQueueDelayMs).toBe(0);
    expect(scheduler.limits.maxBatchTokens).toBe(16_384);
    expect(scheduler.name).toBe('sentiment-zh@3');
  });

  const INVALID: [string, Record<string, unknown>, string][] = [
    ['zero batch size', { maxBatchSize: 0 }, 'maxBatchSize'],
    ['fractional batch size', { maxBatchSize: 1.5 }, 'maxBatchSize'],
    ['string batch size', { maxBatchSize: '4' }, 'maxBatchSize'],
    ['NaN batch tokens', { maxBatchTokens: Number.NaN }, 'maxBatchTokens'],
    ['zero batch tokens', { maxBatchTokens: 0 }, 'maxBatchTokens'],
    ['negative queue delay', { maxQueueDelayMs: -1 }, 'maxQueueDelayMs'],
    ['infinite queue delay', { maxQueueDelayMs: Infinity }, 'maxQueueDelayMs'],
    ['NaN queue delay', { maxQueueDelayMs: Number.NaN }, 'maxQueueDelayMs'],
    ['zero queue length', { maxQueueLength: 0 }, 'maxQueueLength'],
    ['zero concurrent batches', { maxConcurrentBatches: 0 }, 'maxConcurrentBatches'],
    ['missing runBatch', { runBatch: undefined }, 'runBatch'],
    ['missing lengthOf', { lengthOf: undefined }, 'lengthOf'],
    ['onBatch not a function', { onBatch: 'log' }, 'onBatch'],
    ['empty name', { name: '' }, 'name'],
  ];

  for (const [name, override, param] of INVALID) {
    it(`rejects ${name}`, () => {
      const options = { ...VALID, ...override } as BatchSchedulerOptions<Item, string>;

      const error = catchMaasError(() => new BatchScheduler(options));

      expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
      expect(error.param).toBe(param);
      expect(error.message).toContain(param);
    });
  }
});
