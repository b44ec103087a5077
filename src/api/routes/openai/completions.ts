import { randomUUID } from 'node:crypto';
import { checkInputText } from '../../text-checks.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { MaasError } from '../../../errors/index.js';
import {
  chunkBuilder,
  generateOnce,
  getGenerationModel,
  streamGeneration,
  usageOf,
  type ChunkFormat,
} from './generation.js';
import { GENERATION_FIELDS, readChoiceCount, readSampling } from './sampling.js';

/** Body of `POST /v1/completions`. Other OpenAI fields are accepted and ignored. */
export const CompletionBody = Type.Object({
  model: Type.String({ minLength: 1 }),
  // OpenAI also takes a list of prompts or token ids; this server takes one string.
  prompt: Type.Union([Type.String(), Type.Array(Type.Unknown())]),
  ...GENERATION_FIELDS,
  echo: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
});
export type CompletionBody = Static<typeof CompletionBody>;

/** Reads `prompt`: a string, or a list holding exactly one string. */
function readPrompt(prompt: CompletionBody['prompt']): string {
  if (typeof prompt === 'string') {
    checkInputText(prompt, 'prompt');
    return prompt;
  }
  if (prompt.length === 1 && typeof prompt[0] === 'string') {
    checkInputText(prompt[0], 'prompt[0]');
    return prompt[0];
  }
  throw new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `prompt must be a string or a list of one string; send one request per prompt`,
    { param: 'prompt' },
  );
}

/** `POST /v1/completions` (the legacy text completion API), with `stream: true` as events. */
export function registerCompletionsRoute(app: FastifyInstance, context: AppContext): void {
  app.post<{ Body: CompletionBody }>(
    '/v1/completions',
    { schema: { body: CompletionBody }, config: { scope: 'infer', errorShape: 'openai' } },
    async (request, reply) => {
      const body = request.body;
      readChoiceCount(body.n);
      const prompt = readPrompt(body.prompt);
      const sampling = readSampling(
        body,
        { maxTokens: 'max_tokens' },
        context.settings['limits.max_tokens'],
      );
      const model = await getGenerationModel(context, request, body.model);
      const promptTokens = model.serving.generator.tokenizePrompt(prompt);
      const echo = body.echo === true ? prompt : '';

      const id = `cmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const envelope = { id, object: 'text_completion', created, model: body.model };
      if (body.stream === true) {
        const includeUsage = body.stream_options?.include_usage === true;
        const chunk = chunkBuilder(envelope, includeUsage);
        const choice = (text: string, reason: string | null): object => ({
          index: 0,
          text,
          logprobs: null,
          finish_reason: reason,
        });
        const format: ChunkFormat = {
          ...(echo === '' ? {} : { start: () => chunk([choice(echo, null)]) }),
          text: (text) => chunk([choice(text, null)]),
          finish: (reason) => chunk([choice('', reason)]),
          usage: (usage) => chunk([], { usage }),
        };
        return streamGeneration(
          context,
          reply,
          model,
          promptTokens,
          sampling,
          format,
          includeUsage,
        );
      }

      const result = await generateOnce(context, reply, model, promptTokens, sampling);
      return {
        ...envelope,
        choices: [
          {
            index: 0,
            text: echo + result.text,
            logprobs: null,
            finish_reason: result.finishReason,
          },
        ],
        usage: usageOf(result),
      };
    },
  );
}
