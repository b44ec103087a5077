import { MaasError } from '../../errors/index.js';

// Errors a BatchScheduler rejects requests with. `name` is the scheduler's name.

export function queueFullError(
  name: string,
  queued: number,
  maxQueueLength: number,
  inputs: number,
  retryAfterSeconds: number,
): MaasError {
  return new MaasError(
    'MAAS_ERR_MODEL_OVERLOADED',
    `${name} is overloaded: ${queued} of at most ${maxQueueLength} inputs are queued and the request adds ${inputs}; retry after ${retryAfterSeconds} s`,
    { retryAfterSeconds, details: { queued, limit: maxQueueLength } },
  );
}

export function requestLargerThanQueueError(
  name: string,
  inputs: number,
  maxQueueLength: number,
): MaasError {
  return new MaasError(
    'MAAS_ERR_INPUT_TOO_MANY',
    `the request has ${inputs} inputs but the queue of ${name} holds at most ${maxQueueLength}; send at most ${maxQueueLength} inputs per request`,
    { param: 'inputs' },
  );
}

export function deadlineExceededError(name: string, deadlineMs: number): MaasError {
  return new MaasError(
    'MAAS_ERR_DEADLINE_EXCEEDED',
    `the deadline of ${deadlineMs} ms passed while inputs of the request were still queued for ${name}; retry with a longer deadline or when the server is less busy`,
  );
}

export function cancelledError(name: string, reason: unknown): MaasError {
  return new MaasError('MAAS_ERR_REQUEST_CANCELLED', `the request to ${name} was cancelled`, {
    cause: reason,
  });
}

export function closingError(name: string): MaasError {
  return new MaasError(
    'MAAS_ERR_NOT_READY',
    `${name} was unloaded or the server is shutting down; retry the request`,
    { retryAfterSeconds: 1 },
  );
}

export function invalidLengthError(name: string, index: number, tokens: unknown): MaasError {
  return new MaasError(
    'MAAS_ERR_INTERNAL_ERROR',
    `the length function of ${name} returned ${String(tokens)} for inputs[${index}]; it must return a non-negative integer`,
  );
}

export function invalidSubmitError(param: string, message: string): MaasError {
  return new MaasError('MAAS_ERR_REQUEST_INVALID', message, { param });
}

export function wrongOutputCountError(name: string, outputs: unknown, inputs: number): MaasError {
  let found: string;
  if (Array.isArray(outputs)) found = `${outputs.length} outputs`;
  else if (outputs === null) found = 'null';
  else found = `a value of type ${typeof outputs}`;
  return new MaasError(
    'MAAS_ERR_INTERNAL_ERROR',
    `the batch function of ${name} returned ${found} for a batch of ${inputs} inputs; it must return one output per input`,
  );
}
