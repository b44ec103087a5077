import type { FastifyInstance } from 'fastify';
import { MaasError } from '../../../errors/index.js';
import { toMaasError } from '../../error-handler.js';

/** The error body of the OpenAI-compatible routes, in the shape OpenAI clients parse. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/** OpenAI's error `type` for an HTTP status. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Turns an error into the OpenAI error body; `code` is the nlp-maas error code. */
export function openAiErrorBody(error: MaasError): OpenAiErrorBody {
  return {
    error: {
      message: error.message,
      type: errorType(error.status),
      param: error.param ?? null,
      code: error.code,
    },
  };
}

/**
 * Makes the routes of `scope` send errors in the OpenAI shape, with the status, the
 * `Retry-After` header and the log levels of the native routes.
 */
export function installOpenAiErrorHandler(scope: FastifyInstance): void {
  scope.setErrorHandler((thrown: unknown, request, reply) => {
    const error = toMaasError(thrown);
    if (error.status === 503 || error.status === 504) {
      request.log.warn({ code: error.code }, error.message);
    } else if (error.status >= 500) {
      request.log.error({ err: thrown, code: error.code }, 'request failed');
    }
    if (error.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    }
    void reply.status(error.status).send(openAiErrorBody(error));
  });
}
