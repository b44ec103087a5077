import { Type, type Static } from '@sinclair/typebox';
import { checkInputText } from '../../text-checks.js';
import { meterTokens } from '../../metering.js';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { MaasError } from '../../../errors/index.js';
import type { LoadedModel } from '../../../serving/model-pool.js';
import { deadlineOf, disconnectSignal, getModel } from './generation.js';

/** Body of `POST /v1/embeddings`. */
export const EmbeddingBody = Type.Object({
  model: Type.String({ minLength: 1 }),
  input: Type.Union([Type.String(), Type.Array(Type.Unknown())]),
  encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
  dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
  user: Type.Optional(Type.String()),
});
export type EmbeddingBody = Static<typeof EmbeddingBody>;

/** Reads `input` as a list of texts within `limits.max_inputs` and `limits.max_input_chars`. */
function readTexts(input: EmbeddingBody['input'], context: AppContext): string[] {
  const texts = typeof input === 'string' ? [input] : input;
  const maxInputs = context.settings['limits.max_inputs'];
  const maxChars = context.settings['limits.max_input_chars'];
  if (texts.length === 0 || texts.length > maxInputs) {
    throw new MaasError(
      texts.length === 0 ? 'MAAS_ERR_REQUEST_INVALID' : 'MAAS_ERR_INPUT_TOO_MANY',
      `input has ${texts.length} texts; send from 1 to ${maxInputs} (limits.max_inputs)`,
      { param: 'input' },
    );
  }
  texts.forEach((text, index) => {
    const param = typeof input === 'string' ? 'input' : `input[${index}]`;
    if (typeof text !== 'string') {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `${param} must be a string; token id lists are not accepted`,
        { param },
      );
    }
    checkInputText(text, param);
    if (text === '') {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `${param} is an empty string; send at least one character`,
        { param },
      );
    }
    if (text.length > maxChars) {
      throw new MaasError(
        'MAAS_ERR_INPUT_TOO_LONG',
        `${param} has ${text.length} characters; at most ${maxChars} are allowed (limits.max_input_chars)`,
        { param },
      );
    }
  });
  return texts as string[];
}

/** Runs `texts` through an embedding model of either runtime; returns vectors and tokens. */
async function embed(
  model: LoadedModel,
  texts: string[],
  options: { signal: AbortSignal; deadlineMs?: number },
): Promise<{ vectors: ArrayLike<number>[]; tokens: number }> {
  if (model.kind === 'llama-embedding') {
    const vectors = await model.serving.embed(texts, options);
    const tokens = texts.reduce(
      (sum, text) => sum + model.serving.embedder.tokenize(text).length,
      0,
    );
    return { vectors, tokens };
  }
  if (model.kind === 'huggingface' && model.serving.model.task === 'feature-extraction') {
    const parameters = { pooling: 'mean', normalize: true };
    const vectors = (await model.serving.submit(texts, parameters, options)) as number[][];
    const tokens = model.serving.model.countTokens(texts).reduce((sum, count) => sum + count, 0);
    return { vectors, tokens };
  }
  throw new MaasError(
    'MAAS_ERR_TASK_UNSUPPORTED',
    `model ${model.reference} has task ${model.task}; /v1/embeddings serves feature-extraction models`,
    { param: 'model' },
  );
}

/** Encodes a vector as base64 of little-endian float32 values, as OpenAI does. */
function toBase64(vector: ArrayLike<number>): string {
  const values = Float32Array.from(vector);
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** `POST /v1/embeddings` for GGUF and Hugging Face feature-extraction models. */
export function registerEmbeddingsRoute(app: FastifyInstance, context: AppContext): void {
  app.post<{ Body: EmbeddingBody }>(
    '/v1/embeddings',
    { schema: { body: EmbeddingBody }, config: { scope: 'infer', errorShape: 'openai' } },
    async (request, reply) => {
      const body = request.body;
      const texts = readTexts(body.input, context);
      const model = await getModel(context, request, body.model);
      const signal = disconnectSignal(reply);
      const { vectors, tokens } = await embed(model, texts, { signal, ...deadlineOf(context) });
      // The token count is known only once the inputs are tokenized, inside the batch.
      await meterTokens(request, { input: tokens });
      const width = vectors[0]?.length ?? 0;
      if (body.dimensions !== undefined && body.dimensions !== width) {
        throw new MaasError(
          'MAAS_ERR_REQUEST_INVALID',
          `dimensions is ${body.dimensions} but ${model.reference} returns vectors of ${width}; omit dimensions`,
          { param: 'dimensions' },
        );
      }
      return {
        object: 'list',
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: body.encoding_format === 'base64' ? toBase64(vector) : Array.from(vector),
        })),
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  );
}
