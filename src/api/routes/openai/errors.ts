import type { FastifyInstance } from 'fastify';
import { openAiErrorBody, toMaasError } from '../../error-handler.js';

export { openAiErrorBody, type OpenAiErrorBody } from '../../error-handler.js';

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
