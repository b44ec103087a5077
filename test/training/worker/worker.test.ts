import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MaasError } from '../../../src/errors/index.js';
import type { TrainingEvent } from '../../../src/training/classification/events.js';
import type {
  ClassifierTrainingRequest,
  ClassifierTrainingResult,
} from '../../../src/training/classification/pipeline.js';
import { runTrainingInWorker } from '../../../src/training/worker/run-in-worker.js';
import { REVIEW_LABELS, syntheticReviews, tinyHyperparameters } from '../synthetic-reviews.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'maas-worker-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function tinyRequest(
  outputName: string,
  overrides: Partial<ClassifierTrainingRequest> = {},
): ClassifierTrainingRequest {
  return {
    train: syntheticReviews(32, 1),
    validation: syntheticReviews(16, 2),
    test: syntheticReviews(8, 3),
    labels: REVIEW_LABELS,
    hyperparameters: tinyHyperparameters({ epochs: 2, patience: 2 }),
    outputDir: join(folder, outputName),
    ...overrides,
  };
}

/** Number of live worker threads of this process, from its diagnostic report. */
function workerCount(): number {
  return (process.report.getReport() as unknown as { workers: unknown[] }).workers.length;
}

/** Waits until this process has `count` worker threads. Returns false after `timeoutMs`. */
async function waitForWorkerCount(count: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (workerCount() === count) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function catchRejection(promise: Promise<unknown>): Promise<MaasError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MaasError) return error;
    throw error;
  }
  throw new Error('expected a MaasError, but the training run succeeded');
}

describe('runTrainingInWorker', () => {
  let baseline: number;
  let result: ClassifierTrainingResult;
  let request: ClassifierTrainingRequest;
  let countWhileRunning: number | undefined;
  const events: TrainingEvent[] = [];

  beforeAll(async () => {
    baseline = workerCount();
    request = tinyRequest('succeeded');
    result = await runTrainingInWorker(request, {
      onEvent: (event) => {
        if (event.type === 'started') countWhileRunning = workerCount();
        events.push(event);
      },
    });
  });

  it('writes the model files', () => {
    for (const file of ['model.json', 'weights.bin', 'tokenizer.json']) {
      expect(existsSync(join(request.outputDir, file)), file).toBe(true);
    }
  });

  it('writes a layers model manifest', async () => {
    const manifest = JSON.parse(await readFile(join(request.outputDir, 'model.json'), 'utf8'));
    expect(manifest.format).toBe('layers-model');
    expect(manifest.weightsManifest[0].paths).toEqual(['weights.bin']);
  });

  it('writes the tokenizer', async () => {
    const tokenizer = JSON.parse(await readFile(join(request.outputDir, 'tokenizer.json'), 'utf8'));
    expect(tokenizer.vocabulary).toHaveLength(result.vocabularySize);
    expect(tokenizer.max_length).toBe(24);
  });

  it('returns the history and reports', () => {
    expect(result.history).toHaveLength(2);
    expect(result.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(result.validationReport.examples).toBe(16);
    expect(result.testReport?.examples).toBe(8);
    expect(result.parameterCount).toBeGreaterThan(0);
  });

  it('sends events to the parent', () => {
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('started');
    expect(types.filter((type) => type === 'batch')).toHaveLength(4);
    expect(types.filter((type) => type === 'epoch')).toHaveLength(2);
  });

  it('lets the worker exit', async () => {
    expect(countWhileRunning).toBe(baseline + 1);
    expect(await waitForWorkerCount(baseline)).toBe(true);
  });
});

describe('runTrainingInWorker failures', () => {
  it('rejects on abort', async () => {
    const baseline = workerCount();
    const controller = new AbortController();
    const request = tinyRequest('aborted', {
      hyperparameters: tinyHyperparameters({ epochs: 500, patience: 500 }),
    });
    const onEvent = (event: TrainingEvent): void => {
      if (event.type === 'batch') controller.abort();
    };
    const error = await catchRejection(
      runTrainingInWorker(request, { onEvent, signal: controller.signal }),
    );
    expect(error.code).toBe('MAAS_ERR_TRAINING_CANCELLED');
    expect(error.message).toContain('cancel');
    expect(error.details?.['name']).toBe('TrainingCancelledError');
    expect(existsSync(join(request.outputDir, 'model.json'))).toBe(false);
    expect(await waitForWorkerCount(baseline)).toBe(true);
  });

  it('terminates at once with no cancel time', async () => {
    const baseline = workerCount();
    const controller = new AbortController();
    const request = tinyRequest('terminated', {
      hyperparameters: tinyHyperparameters({ epochs: 500, patience: 500 }),
    });
    const onEvent = (event: TrainingEvent): void => {
      if (event.type === 'batch') controller.abort();
    };
    // With 0 ms the worker is terminated whether or not it saw the cancel message.
    const error = await catchRejection(
      runTrainingInWorker(request, { onEvent, signal: controller.signal, terminateAfterMs: 0 }),
    );
    expect(error.code).toBe('MAAS_ERR_TRAINING_CANCELLED');
    expect(await waitForWorkerCount(baseline)).toBe(true);
  });

  it('rejects when aborted before start', async () => {
    const baseline = workerCount();
    const controller = new AbortController();
    controller.abort();
    const request = tinyRequest('aborted-early');
    const events: TrainingEvent[] = [];
    const error = await catchRejection(
      runTrainingInWorker(request, {
        onEvent: (event) => events.push(event),
        signal: controller.signal,
      }),
    );
    expect(error.message).toContain('cancel');
    expect(error.code).toBe('MAAS_ERR_TRAINING_CANCELLED');
    expect(events.filter((event) => event.type === 'batch')).toHaveLength(0);
    // The promise settles on the worker's cancel message; the thread may exit a moment later.
    // Waiting here also keeps it out of the next test's baseline.
    expect(await waitForWorkerCount(baseline)).toBe(true);
  });

  it('rejects an unknown label', async () => {
    const baseline = workerCount();
    const request = tinyRequest('bad-label', {
      train: [...syntheticReviews(8, 4), { text: '房间一般', label: 'neutral' }],
    });
    const error = await catchRejection(runTrainingInWorker(request));
    expect(error.code).toBe('MAAS_ERR_TRAINING_FAILED');
    expect(error.message).toBe('training failed: label "neutral" is not one of 0, 1');
    expect(existsSync(request.outputDir)).toBe(false);
    expect(await waitForWorkerCount(baseline)).toBe(true);
  });
});
