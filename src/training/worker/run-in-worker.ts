import { startWorker } from './start-worker.js';
import { ERROR_CODES, MaasError, type ErrorCode } from '../../errors/index.js';
import type { TrainingEvent } from '../classification/events.js';
import type {
  ClassifierTrainingRequest,
  ClassifierTrainingResult,
} from '../classification/pipeline.js';
import type {
  FromWorkerMessage,
  ToWorkerMessage,
  WorkerError,
  WorkerTrainer,
  WorkerTrainers,
} from './messages.js';

export interface RunInWorkerOptions<Event = TrainingEvent> {
  onEvent?: (event: Event) => void;
  /** Signal whose abort makes the worker stop after its current batch. */
  signal?: AbortSignal;
  /**
   * Time after an abort at which the worker is terminated if it has not stopped by itself, in
   * milliseconds. A batch or the ONNX export can take longer than a cancel should.
   * @defaultValue {@link DEFAULT_TERMINATE_AFTER_MS}
   */
  terminateAfterMs?: number;
}

/** Default of {@link RunInWorkerOptions.terminateAfterMs}. */
export const DEFAULT_TERMINATE_AFTER_MS = 5000;

/** Runs a text classifier training request in a worker thread; see {@link runInWorker}. */
export function runTrainingInWorker(
  request: ClassifierTrainingRequest,
  options: RunInWorkerOptions = {},
): Promise<ClassifierTrainingResult> {
  return runInWorker('classifier', request, options);
}

/**
 * Runs a request of `trainer` in a new worker thread, so the event loop of the server or CLI
 * stays free. Resolves with the result; rejects with MAAS_ERR_TRAINING_FAILED when training
 * throws or the worker dies.
 */
export function runInWorker<Trainer extends WorkerTrainer>(
  trainer: Trainer,
  request: WorkerTrainers[Trainer]['request'],
  options: RunInWorkerOptions<WorkerTrainers[Trainer]['event']> = {},
): Promise<WorkerTrainers[Trainer]['result']> {
  const worker = startWorker(workerEntry());

  return new Promise((resolve, reject) => {
    let settled = false;
    let terminateTimer: NodeJS.Timeout | undefined;
    const settle = (action: () => void): void => {
      if (!settled) {
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        clearTimeout(terminateTimer);
        action();
      }
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' } satisfies ToWorkerMessage);
      terminateTimer = setTimeout(
        () => void worker.terminate(),
        options.terminateAfterMs ?? DEFAULT_TERMINATE_AFTER_MS,
      );
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: FromWorkerMessage<Trainer>) => {
      if (message.type === 'event') {
        options.onEvent?.(message.event);
      } else if (message.type === 'done') {
        settle(() => resolve(message.result));
      } else {
        settle(() => reject(toTrainingError(message.error)));
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
          options.signal?.aborted === true
            ? new MaasError(
                'MAAS_ERR_TRAINING_CANCELLED',
                'training was cancelled and its worker terminated',
              )
            : new MaasError(
                'MAAS_ERR_TRAINING_FAILED',
                `training worker exited with code ${exitCode} before it finished`,
              ),
        ),
      ),
    );
    worker.postMessage({ type: 'start', trainer, request } as ToWorkerMessage);
    if (options.signal?.aborted) onAbort();
  });
}

/**
 * Rebuilds an error thrown in the worker: a cancellation becomes MAAS_ERR_TRAINING_CANCELLED,
 * a MaasError keeps its code, anything else becomes MAAS_ERR_TRAINING_FAILED.
 */
function toTrainingError(error: WorkerError): MaasError {
  const details = { name: error.name, code: error.code };
  if (error.name === 'TrainingCancelledError') {
    return new MaasError('MAAS_ERR_TRAINING_CANCELLED', 'training was cancelled', { details });
  }
  if (error.code !== undefined && error.code in ERROR_CODES) {
    return new MaasError(error.code as ErrorCode, error.message, { details });
  }
  return new MaasError('MAAS_ERR_TRAINING_FAILED', `training failed: ${error.message}`, {
    details,
  });
}

function workerEntry(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./training-worker.${extension}`, import.meta.url);
}

/**
 * Throws when `signal` was aborted, for the steps after the worker ended, so that a job
 * cancelled during its export is not registered.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_CANCELLED`.
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_CANCELLED',
      'training was cancelled before its version was registered',
    );
  }
}
