import { parentPort, workerData } from 'node:worker_threads';

import { isMaasError } from '../../errors/index.js';
import { readUtf8File } from '../datasets/text-file.js';
import { labelsOf, parseDataset, statisticsOf } from './formats.js';
import type { ParseRequest, ParseResponse } from './parse-in-worker.js';

// Entry point of a dataset parsing thread: validates one file, posts the result and exits.
if (parentPort === null) {
  throw new Error('parse-worker must run in a worker thread');
}
const port = parentPort;
const request = workerData as ParseRequest;

async function parse(): Promise<ParseResponse> {
  try {
    const parsed = parseDataset(await readUtf8File(request.path), request.format, request.options);
    return { ok: true, labels: labelsOf(parsed), statistics: statisticsOf(parsed) };
  } catch (error) {
    if (!isMaasError(error)) {
      return { ok: false, error: { code: 'MAAS_ERR_INTERNAL_ERROR', message: String(error) } };
    }
    return {
      ok: false,
      error: {
        code: error.code,
        message: error.message,
        ...(error.param === undefined ? {} : { param: error.param }),
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
}

void parse().then((response) => {
  port.postMessage(response);
  port.close();
});
