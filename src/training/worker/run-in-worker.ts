import { Worker } from 'node:worker_threads';
import { MaasError } from '../../errors/index.js';
import type { TrainingEvent } from '../classification/events.js';
import type {
  ClassifierTrainingRequest,
  ClassifierTrainingResult,
} from '../classification/pipeline.js';
import type { FromWorkerMessage, ToWorkerMessage } from './messages.js';

export interface RunInWorkerOptions {
  onEvent?: (event: TrainingEvent) => void;
  /** Aborting asks the worker to stop after its current batch. */
  signal?: AbortSignal;
}

/**
 * Runs a training request in a new worker thread, so the event loop of the server or CLI
 * stays free. Resolves with the result; rejects with MAAS_ERR_TRAINING_FAILED when training
 * throws or the worker dies.
 */
export function runTrainingInWorker(
  request: ClassifierTrainingRequest,
  options: RunInWorkerOptions = {},
): Promise<ClassifierTrainingResult> {
  const workerUrl = workerEntry();
  // Under tsx (tests, development) the worker is a .ts file and needs the same loader.
  const execArgv = workerUrl.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const worker = new Worker(workerUrl, { execArgv });

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void): void => {
      if (!settled) {
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        action();
      }
    };
    const onAbort = (): void => worker.postMessage({ type: 'cancel' } satisfies ToWorkerMessage);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: FromWorkerMessage) => {
      if (message.type === 'event') {
        options.onEvent?.(message.event);
      } else if (message.type === 'done') {
        settle(() => resolve(message.result));
      } else {
        const { error } = message;
        settle(() =>
          reject(
            new MaasError('MAAS_ERR_TRAINING_FAILED', `training failed: ${error.message}`, {
              details: { name: error.name, code: error.code },
            }),
          ),
        );
      }
    });
    worker.on('error', (error) =>
      settle(() =>
        reject(
          new MaasError('MAAS_ERR_TRAINING_FAILED', `training worker crashed: ${error.message}`, {
            cause: error,
          }),
        ),
      ),
    );
    worker.on('exit', (exitCode) =>
      settle(() =>
        reject(
          new MaasError(
            'MAAS_ERR_TRAINING_FAILED',
            `training worker exited with code ${exitCode} before it finished`,
          ),
        ),
      ),
    );
    worker.postMessage({ type: 'start', request } satisfies ToWorkerMessage);
    if (options.signal?.aborted) onAbort();
  });
}

function workerEntry(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./training-worker.${extension}`, import.meta.url);
}
