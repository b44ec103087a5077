import { parentPort } from 'node:worker_threads';
import { runClassifierTraining } from '../classification/pipeline.js';
import type { FromWorkerMessage, ToWorkerMessage } from './messages.js';

// Entry point of a training worker thread: runs one training request, then exits.
if (parentPort === null) {
  throw new Error('training-worker must run in a worker thread');
}
const port = parentPort;
let cancelled = false;

const send = (message: FromWorkerMessage): void => port.postMessage(message);

port.on('message', (message: ToWorkerMessage) => {
  if (message.type === 'cancel') {
    cancelled = true;
    return;
  }
  runClassifierTraining(
    message.request,
    (event) => send({ type: 'event', event }),
    () => cancelled,
  )
    .then((result) => send({ type: 'done', result }))
    .catch((error: Error & { code?: string }) => {
      send({
        type: 'failed',
        error: { name: error.name, message: error.message, code: error.code, stack: error.stack },
      });
    })
    .finally(() => port.close());
});
