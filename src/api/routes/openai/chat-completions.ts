import { randomUUID } from 'node:crypto';
import { checkInputText } from '../../text-checks.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { MaasError } from '../../../errors/index.js';
import { CHAT_ROLES, type ChatMessage } from '../../../runtimes/llama/index.js';
import {
  chunkBuilder,
  generateOnce,
  getGenerationModel,
  streamGeneration,
  usageOf,
  type ChunkFormat,
} from './generation.js';
import { GENERATION_FIELDS, readChoiceCount, readSampling } from './sampling.js';

/** Body of `POST /v1/chat/completions`. Other OpenAI fields are accepted and ignored. */
export const ChatCompletionBody = Type.Object({
  model: Type.String({ minLength: 1 }),
  messages: Type.Array(
    Type.Object({
      role: Type.String(),
      // OpenAI also allows a list of content parts; only text parts are read.
      content: Type.Union([Type.String(), Type.Array(Type.Unknown()), Type.Null()]),
    }),
    { minItems: 1 },
  ),
  ...GENERATION_FIELDS,
  max_completion_tokens: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
export type ChatCompletionBody = Static<typeof ChatCompletionBody>;

/** Reads the messages, joining the text parts of a content list. */
function readMessages(messages: ChatCompletionBody['messages']): ChatMessage[] {
  return messages.map((message, index) => {
    const role = message.role === 'developer' ? 'system' : message.role;
    if (!(CHAT_ROLES as readonly string[]).includes(role)) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `messages[${index}].role must be one of system, developer, user or assistant, got ${JSON.stringify(message.role)}`,
        { param: `messages[${index}].role` },
      );
    }
    let content = '';
    if (typeof message.content === 'string') {
      content = message.content;
    } else if (Array.isArray(message.content)) {
      content = message.content
        .map((part) => {
          const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
          if (type !== 'text' || typeof text !== 'string') {
            throw new MaasError(
              'MAAS_ERR_REQUEST_INVALID',
              `messages[${index}].content may only contain parts of type "text"`,
              { param: `messages[${index}].content` },
            );
          }
          return text;
        })
        .join('');
    }
    checkInputText(content, `messages[${index}].content`);
    return { role: role as ChatMessage['role'], content };
  });
}

/** `POST /v1/chat/completions`, with `stream: true` as server-sent events. */
export function registerChatCompletionsRoute(app: FastifyInstance, context: AppContext): void {
  app.post<{ Body: ChatCompletionBody }>(
    '/v1/chat/completions',
    { schema: { body: ChatCompletionBody }, config: { scope: 'infer', errorShape: 'openai' } },
    async (request, reply) => {
      const body = request.body;
      readChoiceCount(body.n);
      const messages = readMessages(body.messages);
      const maxTokensField =
        body.max_completion_tokens === undefined ? 'max_tokens' : 'max_completion_tokens';
      const sampling = readSampling(
        body,
        { maxTokens: maxTokensField },
        context.settings['limits.max_tokens'],
      );
      const model = await getGenerationModel(context, request, body.model);
      const promptTokens = model.serving.generator.tokenizeChat(messages);

      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const envelope = { id, object: 'chat.completion.chunk', created, model: body.model };
      if (body.stream === true) {
        const includeUsage = body.stream_options?.include_usage === true;
        const chunk = chunkBuilder(envelope, includeUsage);
        const format: ChunkFormat = {
          start: () =>
            chunk([
              {
                index: 0,
                delta: { role: 'assistant', content: '' },
                logprobs: null,
                finish_reason: null,
              },
            ]),
          text: (text) =>
            chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }]),
          finish: (reason) =>
            chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reason }]),
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
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.text },
            logprobs: null,
            finish_reason: result.finishReason,
          },
        ],
        usage: usageOf(result),
      };
    },
  );
}
