import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { registerChatCompletionsRoute } from './chat-completions.js';
import { registerCompletionsRoute } from './completions.js';
import { registerEmbeddingsRoute } from './embeddings.js';
import { installOpenAiErrorHandler } from './errors.js';

/**
 * Registers the OpenAI-compatible routes `POST /v1/chat/completions`, `POST /v1/completions`
 * and `POST /v1/embeddings`, which send errors in OpenAI's shape. `GET /v1/models` is
 * registered with the native model routes.
 */
export function registerOpenAiRoutes(app: FastifyInstance, context: AppContext): void {
  // A plugin scope, so that its error handler applies to these routes only.
  void app.register(async (scope) => {
    installOpenAiErrorHandler(scope);
    registerChatCompletionsRoute(scope, context);
    registerCompletionsRoute(scope, context);
    registerEmbeddingsRoute(scope, context);
  });
}
