import { parentPort } from 'node:worker_threads';
import { runClassifierTraining } from '../classification/pipeline.js';
import { runSrlTaggerTraining } from '../srl/pipeline.js';
import { runTaggerTraining } from '../tagging/pipeline.js';
import type { FromWorkerMessage, ToWorkerMessage } from './messages.js';

// Entry point of a training worker thread: runs one training request, then exits.
if (parentPort === null) {
  throw new Error('training-worker must run in a worker thread');
}
const port = parentPort;
let cancelled = false;

const send = (message: FromWorkerMessage): void => port.postMessage(message);

/** Runs the trainer that `message` names. */
function train(message: Extract<ToWorkerMessage, { type: 'start' }>): Promise<unknown> {
  const onEvent = (event: unknown): void => send({ type: 'event', event } as FromWorkerMessage);
  const isCancelled = (): boolean => cancelled;
  switch (message.trainer) {
    case 'classifier':
      return runClassifierTraining(message.request, onEvent, isCancelled);
    case 'tagger':
      return runTaggerTraining(message.request, onEvent, isCancelled);
    case 'srl':
      return runSrlTaggerTraining(message.request, onEvent, isCancelled);
  }
}

port.on('message', (message: ToWorkerMessage) => {
  if (message.type === 'cancel') {
    cancelled = true;
    return;
  }
  train(message)
    .then((result) => send({ type: 'done', result } as FromWorkerMessage))
    .catch((error: Error & { code?: string }) => {
      send({
        type: 'failed',
        error: { name: error.name, message: error.message, code: error.code, stack: error.stack },
      });
    })
    .finally(() => port.close());
});
