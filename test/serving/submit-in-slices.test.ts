import { afterEach, describe, expect, it } from 'vitest';

import { submitInSlices } from '../../src/serving/scheduler/index.js';
import {
  closeAll,
  createScheduler,
  item,
  outputOf,
  rejectionOf,
  sleep,
  type Item,
} from './scheduler-helpers.js';

afterEach(closeAll);

/** A batch function that takes `ms` per batch and records the ids of each batch. */
function slowRuntime(ms: number): {
  batches: string[][];
  runBatch: (inputs: Item[]) => Promise<string[]>;
} {
  const batches: string[][] = [];
  return {
    batches,
    runBatch: async (inputs) => {
      batches.push(inputs.map((input) => input.id));
      await sleep(ms);
      return inputs.map(outputOf);
    },
  };
}

describe('submitInSlices', () => {
  it('returns outputs of all slices in order', async () => {
    const runtime = slowRuntime(1);
    const scheduler = createScheduler({ runBatch: runtime.runBatch, maxBatchSize: 8 });
    const inputs = ['a', 'b', 'c', 'd', 'e'].map((id) => item(id));

    const outputs = await submitInSlices(scheduler, inputs, 2, {});

    expect(outputs).toEqual(['out:a', 'out:b', 'out:c', 'out:d', 'out:e']);
    expect(runtime.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('spends one deadline over all slices', async () => {
    // Each slice finishes well within 100 ms, but three of them take longer than that.
    const runtime = slowRuntime(60);
    const scheduler = createScheduler({ runBatch: runtime.runBatch, maxBatchSize: 8 });
    const inputs = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => item(id));

    const error = await rejectionOf(submitInSlices(scheduler, inputs, 2, { deadlineMs: 100 }));

    expect(error.code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
    expect(error.message).toContain('100 ms');
    expect(runtime.batches.length).toBeLessThan(3);
  });
});
