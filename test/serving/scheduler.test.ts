import { afterEach, describe, expect, it } from 'vitest';
import { pino, type Logger } from 'pino';

import { MaasError } from '../../src/errors/index.js';
import type { BatchReport } from '../../src/serving/scheduler/index.js';
import {
  ManualRuntime,
  closeAll,
  createScheduler,
  flush,
  item,
  outputOf,
  recordingRuntime,
  rejectionOf,
  sleep,
  type Item,
} from './scheduler-helpers.js';

afterEach(closeAll);

describe('BatchScheduler results', () => {
  it('keeps request order across batches', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch, maxBatchSize: 2 });
    const inputs = [item('a', 5), item('b', 1), item('c', 3), item('d', 2), item('e', 4)];

    const outputs = await scheduler.submit(inputs);

    expect(outputs).toEqual(inputs.map(outputOf));
    expect(runtime.ids).toEqual([['e', 'a'], ['b', 'd'], ['c']]);
  });

  it('maps outputs of a shared batch back to each request', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const first = scheduler.submit([item('a', 4), item('b', 1)]);
    const second = scheduler.submit([item('c', 3)]);
    const third = scheduler.submit([item('d', 2), item('e', 5)]);

    expect(await first).toEqual(['out:a', 'out:b']);
    expect(await second).toEqual(['out:c']);
    expect(await third).toEqual(['out:d', 'out:e']);
    expect(runtime.ids).toEqual([['b', 'd', 'c', 'a', 'e']]);
  });

  it('resolves an empty request without a batch', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    expect(await scheduler.submit([])).toEqual([]);
    expect(runtime.ids).toEqual([]);
  });
});

describe('BatchScheduler batching', () => {
  it('batches requests queued while a batch runs', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const first = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const second = scheduler.submit([item('b')]);
    const third = scheduler.submit([item('c'), item('d')]);
    await flush();
    expect(runtime.batches).toHaveLength(1);

    runtime.batch(0).release();
    await runtime.waitForBatches(2);
    expect(runtime.batch(1).ids).toEqual(['b', 'c', 'd']);
    runtime.batch(1).release();

    expect(await first).toEqual(['out:a']);
    expect(await second).toEqual(['out:b']);
    expect(await third).toEqual(['out:c', 'out:d']);
  });

  it('limits the number of inputs per batch', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch, maxBatchSize: 3 });
    const inputs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => item(id));

    await scheduler.submit(inputs);

    expect(runtime.ids.map((ids) => ids.length)).toEqual([3, 3, 1]);
    expect(runtime.ids.flat().sort()).toEqual(inputs.map((input) => input.id));
  });

  it('counts the token budget after padding', async () => {
    const runtime = recordingRuntime();
    const reports: BatchReport[] = [];
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchTokens: 40,
      onBatch: (report) => reports.push(report),
    });
    const shorts = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'].map((id) => item(id, 2));

    const outputs = await scheduler.submit([item('long', 20), ...shorts]);

    expect(outputs).toHaveLength(9);
    // Nine inputs padded to 20 tokens would be 180 tokens; two batches stay within 40.
    expect(runtime.ids).toEqual([
      ['s1', 'long'],
      ['s2', 's3', 's4', 's5', 's6', 's7', 's8'],
    ]);
    expect(reports.map((report) => report.paddedTokens)).toEqual([40, 14]);
    expect(reports.map((report) => report.realTokens)).toEqual([22, 14]);
  });

  it('runs an input over the token budget alone', async () => {
    const runtime = recordingRuntime();
    const reports: BatchReport[] = [];
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchTokens: 40,
      onBatch: (report) => reports.push(report),
    });

    const outputs = await scheduler.submit([item('a', 2), item('huge', 100), item('b', 2)]);

    expect(outputs).toEqual(['out:a', 'out:huge', 'out:b']);
    expect(runtime.ids).toEqual([['a', 'b'], ['huge']]);
    expect(reports.map((report) => report.paddedTokens)).toEqual([4, 100]);
  });

  it('groups inputs of similar length', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 4,
      maxBatchTokens: 202,
    });

    const outputs = await scheduler.submit([
      item('a', 1),
      item('b', 100),
      item('c', 2),
      item('d', 101),
    ]);

    expect(outputs).toEqual(['out:a', 'out:b', 'out:c', 'out:d']);
    expect(runtime.ids).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ]);
  });

  it('never starves the oldest input', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 2,
      maxBatchTokens: 100,
    });

    const blocker = scheduler.submit([item('blocker')]);
    await runtime.waitForBatches(1);
    const long = scheduler.submit([item('long', 60)]);
    const shorts = scheduler.submit([item('s1'), item('s2'), item('s3'), item('s4')]);
    runtime.batch(0).release();

    // Two short inputs would pad less, but the long input arrived first.
    await runtime.waitForBatches(2);
    expect(runtime.batch(1).ids).toEqual(['long']);
    const moreShorts = scheduler.submit([item('s5'), item('s6')]);
    runtime.batch(1).release();
    await runtime.waitForBatches(3);
    expect(runtime.batch(2).ids).toEqual(['s1', 's2']);
    runtime.batch(2).release();
    await runtime.waitForBatches(4);
    expect(runtime.batch(3).ids).toEqual(['s3', 's4']);
    runtime.batch(3).release();
    await runtime.waitForBatches(5);
    runtime.batch(4).release();

    await expect(blocker).resolves.toEqual(['out:blocker']);
    await expect(long).resolves.toEqual(['out:long']);
    await expect(shorts).resolves.toEqual(['out:s1', 'out:s2', 'out:s3', 'out:s4']);
    await expect(moreShorts).resolves.toEqual(['out:s5', 'out:s6']);
  });

  it('runs two batches at once when allowed', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 1,
      maxConcurrentBatches: 2,
    });

    const request = scheduler.submit([item('a'), item('b'), item('c')]);
    await runtime.waitForBatches(2);
    await flush();
    expect(runtime.batches).toHaveLength(2);
    expect(scheduler.stats().runningBatches).toBe(2);

    runtime.batch(1).release();
    await runtime.waitForBatches(3);
    runtime.batch(0).release();
    runtime.batch(2).release();
    expect(await request).toEqual(['out:a', 'out:b', 'out:c']);
  });
});

describe('BatchScheduler queue delay', () => {
  it('runs a partial batch after the delay', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 8,
      maxQueueDelayMs: 40,
    });
    const started = performance.now();

    const first = scheduler.submit([item('a')]);
    await flush();
    const second = scheduler.submit([item('b')]);

    await runtime.waitForBatches(1);
    expect(runtime.batch(0).startedAt - started).toBeGreaterThanOrEqual(40);
    expect(runtime.batch(0).ids).toEqual(['a', 'b']);
    runtime.batch(0).release();
    expect(await first).toEqual(['out:a']);
    expect(await second).toEqual(['out:b']);
  });

  it('runs a batch full by count at once', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 2,
      maxQueueDelayMs: 60_000,
    });

    const request = scheduler.submit([item('a'), item('b')]);
    await runtime.waitForBatches(1);
    runtime.batch(0).release();

    expect(await request).toEqual(['out:a', 'out:b']);
  });

  it('runs a batch full by tokens at once', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchTokens: 4,
      maxQueueDelayMs: 60_000,
    });

    const request = scheduler.submit([item('a', 2), item('b', 2)]);
    await runtime.waitForBatches(1);
    runtime.batch(0).release();

    expect(await request).toEqual(['out:a', 'out:b']);
  });
});

describe('BatchScheduler queue limit', () => {
  it('rejects a request that overflows the queue', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 1,
      maxQueueLength: 3,
    });
    const running = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const queued = scheduler.submit([item('b'), item('c')]);

    const error = await rejectionOf(scheduler.submit([item('d'), item('e')]));
    const fits = scheduler.submit([item('f')]);

    expect(error.code).toBe('MAAS_ERR_MODEL_OVERLOADED');
    expect(error.status).toBe(503);
    expect(Number.isInteger(error.retryAfterSeconds)).toBe(true);
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(scheduler.stats().queueDepth).toBe(3);
    for (let index = 0; index < 4; index += 1) {
      await runtime.waitForBatches(index + 1);
      runtime.batch(index).release();
    }
    expect(await running).toEqual(['out:a']);
    expect(await queued).toEqual(['out:b', 'out:c']);
    expect(await fits).toEqual(['out:f']);
    expect(runtime.ids.flat()).toEqual(['a', 'b', 'c', 'f']);
  });

  it('estimates Retry-After from batch durations', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      maxBatchSize: 1,
      maxQueueLength: 100,
    });
    const first = scheduler.submit([item('first')]);
    await runtime.waitForBatches(1);
    await sleep(25);
    runtime.batch(0).release();
    await first;

    const second = scheduler.submit([item('second')]);
    await runtime.waitForBatches(2);
    const queued = scheduler.submit(Array.from({ length: 100 }, (_, index) => item(`q${index}`)));
    const queuedError = rejectionOf(queued);
    const error = await rejectionOf(scheduler.submit([item('late')]));

    // 100 queued inputs at 25 ms or more each take at least 2.5 s.
    expect(error.code).toBe('MAAS_ERR_MODEL_OVERLOADED');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(3);
    const closing = scheduler.close();
    runtime.batch(1).release();
    await closing;
    expect(await second).toEqual(['out:second']);
    expect((await queuedError).code).toBe('MAAS_ERR_NOT_READY');
  });

  it('rejects a request larger than the queue', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch, maxQueueLength: 2 });

    const error = await rejectionOf(scheduler.submit([item('a'), item('b'), item('c')]));

    expect(error.code).toBe('MAAS_ERR_INPUT_TOO_MANY');
    expect(error.param).toBe('inputs');
    expect(runtime.ids).toEqual([]);
  });
});

describe('BatchScheduler deadlines', () => {
  it('rejects a request still queued at its deadline', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    const running = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);

    const error = await rejectionOf(scheduler.submit([item('late')], { deadlineMs: 10 }));

    expect(error.code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
    expect(error.status).toBe(504);
    expect(scheduler.stats().queueDepth).toBe(0);
    runtime.batch(0).release();
    expect(await running).toEqual(['out:a']);
    await flush();
    expect(runtime.ids).toEqual([['a']]);
  });

  it('discards running inputs of an expired request', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch, maxBatchSize: 1 });

    const rejected = rejectionOf(scheduler.submit([item('x'), item('y')], { deadlineMs: 10 }));
    await runtime.waitForBatches(1);
    const error = await rejected;

    expect(error.code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
    runtime.batch(0).release();
    await flush();
    expect(runtime.ids).toEqual([['x']]);
    expect(scheduler.stats().completedBatches).toBe(1);
  });

  it('lets a running request pass its deadline', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const request = scheduler.submit([item('a')], { deadlineMs: 5 });
    await runtime.waitForBatches(1);
    await sleep(15);
    runtime.batch(0).release();

    expect(await request).toEqual(['out:a']);
  });

  it('rejects a deadline already passed', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const error = await rejectionOf(scheduler.submit([item('a')], { deadlineMs: 0 }));

    expect(error.code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
    expect(scheduler.stats().queueDepth).toBe(0);
    expect(runtime.ids).toEqual([]);
  });

  it('rejects a deadline that is not a number', async () => {
    const scheduler = createScheduler({ runBatch: recordingRuntime().runBatch });

    const error = await rejectionOf(scheduler.submit([item('a')], { deadlineMs: Number.NaN }));

    expect(error.code).toBe('MAAS_ERR_REQUEST_INVALID');
    expect(error.param).toBe('deadlineMs');
  });
});

describe('BatchScheduler cancellation', () => {
  it('removes the queued inputs of an aborted request', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    const running = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const controller = new AbortController();
    const cancelled = rejectionOf(
      scheduler.submit([item('b'), item('c')], { signal: controller.signal }),
    );

    controller.abort();
    const error = await cancelled;

    expect(error.code).toBe('MAAS_ERR_REQUEST_CANCELLED');
    expect(error.status).toBe(499);
    expect(scheduler.stats().queueDepth).toBe(0);
    runtime.batch(0).release();
    expect(await running).toEqual(['out:a']);
    await flush();
    expect(runtime.ids).toEqual([['a']]);
  });

  it('rejects an already aborted signal', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const error = await rejectionOf(scheduler.submit([item('a')], { signal: AbortSignal.abort() }));

    expect(error.code).toBe('MAAS_ERR_REQUEST_CANCELLED');
    expect(scheduler.stats().queueDepth).toBe(0);
    expect(runtime.ids).toEqual([]);
  });

  it('keeps other requests of a running batch', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    const controller = new AbortController();
    const other = scheduler.submit([item('a'), item('b')]);
    const cancelled = rejectionOf(scheduler.submit([item('c')], { signal: controller.signal }));
    await runtime.waitForBatches(1);
    expect(runtime.batch(0).ids).toEqual(['a', 'b', 'c']);

    controller.abort();
    expect((await cancelled).code).toBe('MAAS_ERR_REQUEST_CANCELLED');
    runtime.batch(0).release();

    expect(await other).toEqual(['out:a', 'out:b']);
    expect(scheduler.stats().failedBatches).toBe(0);
  });
});

describe('BatchScheduler failures', () => {
  it('rejects only the requests of a failed batch', async () => {
    const failure = new Error('runtime crashed');
    const ids: string[][] = [];
    const scheduler = createScheduler({
      maxBatchSize: 2,
      runBatch: async (inputs: Item[]) => {
        ids.push(inputs.map((input) => input.id));
        if (inputs.some((input) => input.id === 'bad')) throw failure;
        return inputs.map(outputOf);
      },
    });

    const first = scheduler.submit([item('a')]).catch((error: unknown) => error);
    const second = scheduler.submit([item('bad')]).catch((error: unknown) => error);
    const third = scheduler.submit([item('c')]);

    expect(await first).toBe(failure);
    expect(await second).toBe(failure);
    expect(await third).toEqual(['out:c']);
    expect(await scheduler.submit([item('later')])).toEqual(['out:later']);
    expect(ids).toEqual([['a', 'bad'], ['c'], ['later']]);
    expect(scheduler.stats().failedBatches).toBe(1);
  });

  it('rejects when runBatch throws synchronously', async () => {
    const failure = new Error('bad input tensor');
    const scheduler = createScheduler({
      runBatch: () => {
        throw failure;
      },
    });

    await expect(scheduler.submit([item('a')])).rejects.toBe(failure);
    expect(scheduler.stats().completedBatches).toBe(1);
  });

  it('drops queued inputs of a failed request', async () => {
    const ids: string[][] = [];
    const scheduler = createScheduler({
      maxBatchSize: 1,
      runBatch: async (inputs: Item[]) => {
        ids.push(inputs.map((input) => input.id));
        if (inputs.some((input) => input.id === 'bad')) throw new Error('runtime crashed');
        return inputs.map(outputOf);
      },
    });

    await expect(scheduler.submit([item('bad'), item('b'), item('c')])).rejects.toThrow(
      'runtime crashed',
    );
    await flush();

    expect(ids).toEqual([['bad']]);
    expect(scheduler.stats().queueDepth).toBe(0);
  });

  it('rejects a wrong output count', async () => {
    let calls = 0;
    const scheduler = createScheduler({
      runBatch: async (inputs: Item[]) => {
        calls += 1;
        return calls === 1 ? inputs.slice(1).map(outputOf) : inputs.map(outputOf);
      },
    });

    const error = await rejectionOf(scheduler.submit([item('a'), item('b')]));

    expect(error.code).toBe('MAAS_ERR_INTERNAL_ERROR');
    expect(error.message).toContain('returned 1 outputs for a batch of 2 inputs');
    expect(await scheduler.submit([item('c')])).toEqual(['out:c']);
  });

  it('rejects outputs that are not an array', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const rejected = rejectionOf(scheduler.submit([item('a')]));
    await runtime.waitForBatches(1);
    runtime.batch(0).resolveWith({ 0: 'out:a' });
    const error = await rejected;

    expect(error.code).toBe('MAAS_ERR_INTERNAL_ERROR');
    expect(error.message).toContain('returned a value of type object');
  });

  it('rejects an invalid token count', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });

    const error = await rejectionOf(scheduler.submit([item('a'), item('b', -1)]));

    expect(error.code).toBe('MAAS_ERR_INTERNAL_ERROR');
    expect(error.message).toContain('returned -1 for inputs[1]');
    expect(scheduler.stats().queueDepth).toBe(0);
    expect(runtime.ids).toEqual([]);
  });

  it('keeps serving when onBatch throws', async () => {
    const scheduler = createScheduler({
      runBatch: recordingRuntime().runBatch,
      onBatch: () => {
        throw new Error('metrics are down');
      },
    });

    expect(await scheduler.submit([item('a')])).toEqual(['out:a']);
    expect(await scheduler.submit([item('b')])).toEqual(['out:b']);
  });
});

describe('BatchScheduler observability', () => {
  it('reports each batch', async () => {
    const reports: BatchReport[] = [];
    const scheduler = createScheduler({
      runBatch: recordingRuntime().runBatch,
      onBatch: (report) => reports.push(report),
    });

    await scheduler.submit([item('a', 3), item('b', 5), item('empty', 0)]);

    expect(reports).toHaveLength(1);
    const [report] = reports as [BatchReport];
    expect(report.size).toBe(3);
    expect(report.paddedTokens).toBe(15);
    expect(report.realTokens).toBe(8);
    expect(report.queueMs).toBeGreaterThanOrEqual(0);
    expect(report.computeMs).toBeGreaterThanOrEqual(0);
    expect(report.failed).toBe(false);
  });

  it('reports queue wait and failure', async () => {
    const runtime = new ManualRuntime();
    const reports: BatchReport[] = [];
    const scheduler = createScheduler({
      runBatch: runtime.runBatch,
      onBatch: (report) => reports.push(report),
    });
    const first = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const second = rejectionOf(scheduler.submit([item('b')]));
    await sleep(20);
    runtime.batch(0).release();
    await first;
    await runtime.waitForBatches(2);
    runtime.batch(1).fail(new MaasError('MAAS_ERR_INTERNAL_ERROR', 'runtime crashed'));
    await second;

    expect(reports).toHaveLength(2);
    expect(reports[1]?.queueMs).toBeGreaterThanOrEqual(19);
    expect(reports[1]?.failed).toBe(true);
  });

  it('tracks stats through a batch', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    expect(scheduler.stats()).toEqual({
      queueDepth: 0,
      runningBatches: 0,
      completedBatches: 0,
      failedBatches: 0,
      lastCompletedAt: null,
    });

    const first = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const second = scheduler.submit([item('b'), item('c')]);
    expect(scheduler.stats().queueDepth).toBe(2);
    expect(scheduler.stats().runningBatches).toBe(1);

    const before = Date.now();
    runtime.batch(0).release();
    await first;
    const afterFirst = scheduler.stats();
    expect(afterFirst.completedBatches).toBe(1);
    expect(afterFirst.lastCompletedAt).toBeGreaterThanOrEqual(before);
    expect(afterFirst.lastCompletedAt).toBeLessThanOrEqual(Date.now());

    await runtime.waitForBatches(2);
    runtime.batch(1).release();
    await second;
    expect(scheduler.stats()).toMatchObject({
      queueDepth: 0,
      runningBatches: 0,
      completedBatches: 2,
    });
  });

  it('reports health from progress', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    expect(scheduler.isHealthy(Date.now(), 1000)).toBe(true);

    const request = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    expect(scheduler.isHealthy(Date.now(), 1000)).toBe(true);
    expect(scheduler.isHealthy(Date.now() + 5000, 1000)).toBe(false);

    runtime.batch(0).release();
    await request;
    expect(scheduler.isHealthy(Date.now() + 5000, 1000)).toBe(true);

    await scheduler.close();
    expect(scheduler.isHealthy(Date.now(), 1000)).toBe(false);
  });

  it('counts progress from the last finished batch', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    const first = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const second = scheduler.submit([item('b')]);

    runtime.batch(0).release();
    await first;
    const finishedAt = scheduler.stats().lastCompletedAt as number;
    await runtime.waitForBatches(2);

    expect(scheduler.isHealthy(finishedAt + 1000, 1000)).toBe(true);
    expect(scheduler.isHealthy(finishedAt + 1001, 1000)).toBe(false);
    runtime.batch(1).release();
    await second;
  });
});

describe('BatchScheduler.close', () => {
  it('rejects queued requests and waits for running ones', async () => {
    const runtime = new ManualRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    const running = scheduler.submit([item('a')]);
    await runtime.waitForBatches(1);
    const queued = rejectionOf(scheduler.submit([item('b')]));

    let closed = false;
    const closing = scheduler.close().then(() => {
      closed = true;
    });
    const error = await queued;
    await flush();

    expect(error.code).toBe('MAAS_ERR_NOT_READY');
    expect(error.status).toBe(503);
    expect(closed).toBe(false);
    runtime.batch(0).release();
    await closing;
    expect(await running).toEqual(['out:a']);
    expect(runtime.ids).toEqual([['a']]);
  });

  it('rejects submissions after close', async () => {
    const runtime = recordingRuntime();
    const scheduler = createScheduler({ runBatch: runtime.runBatch });
    const closing = scheduler.close();

    const error = await rejectionOf(scheduler.submit([item('a')]));

    expect(error.code).toBe('MAAS_ERR_NOT_READY');
    expect(scheduler.close()).toBe(closing);
    await closing;
    expect(runtime.ids).toEqual([]);
  });

  it('clears its timers', async () => {
    const countTimers = (): number =>
      process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const scheduler = createScheduler({
      runBatch: recordingRuntime().runBatch,
      maxQueueDelayMs: 60_000,
    });
    const before = countTimers();

    const request = rejectionOf(scheduler.submit([item('a')], { deadlineMs: 60_000 }));
    await flush();
    expect(countTimers()).toBe(before + 2);
    await scheduler.close();

    expect((await request).code).toBe('MAAS_ERR_NOT_READY');
    expect(countTimers()).toBe(before);
  });
});

describe('BatchScheduler failure logs', () => {
  function logLines(): { lines: { level: number; msg: string }[]; logger: Logger } {
    const lines: { level: number; msg: string }[] = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line)) };
    return { lines, logger: pino({ level: 'debug' }, stream) };
  }

  it('logs a cancelled batch at debug level', async () => {
    const { lines, logger } = logLines();
    const cancelled = new MaasError('MAAS_ERR_REQUEST_CANCELLED', 'the generation was cancelled');
    const scheduler = createScheduler({ runBatch: () => Promise.reject(cancelled), logger });

    await expect(scheduler.submit([item('a')])).rejects.toBe(cancelled);

    expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'batch cancelled' }));
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('logs a failed batch at error level', async () => {
    const { lines, logger } = logLines();
    const scheduler = createScheduler({
      runBatch: () => Promise.reject(new Error('engine crashed')),
      logger,
    });

    await expect(scheduler.submit([item('a')])).rejects.toThrow('engine crashed');

    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'batch failed' }));
  });
});
