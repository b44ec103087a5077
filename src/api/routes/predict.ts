import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import type { InHouseModel, InHouseTaggerModel } from '../../serving/model-pool.js';
import { submitInSlices, type SubmitOptions } from '../../serving/scheduler/index.js';
import { countCharacters, countEncodedTokens } from '../../tenancy/index.js';
import type { Encoding } from '../../text/index.js';
import { meterTokens } from '../metering.js';
import { checkInputText } from '../text-checks.js';
import { predictEmbedding, predictGeneration } from './generation-predict.js';
import { labelSemanticRoles } from './predict-srl.js';

const PredictBody = Type.Object(
  {
    // Checked in the handler, which can name the offending element.
    inputs: Type.Unknown(),
    // Checked per task: models trained here take top_k only, Hugging Face folders take
    // the parameters of their task.
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    // Accepted for compatibility with Hugging Face clients, which send e.g. wait_for_model.
    options: Type.Optional(Type.Object({})),
  },
  { additionalProperties: false },
);
type PredictBody = Static<typeof PredictBody>;

const PredictParams = Type.Object({ ref: Type.String() });
type PredictParams = Static<typeof PredictParams>;

/** `POST /v1/models/{ref}/predict` in the Hugging Face Inference API shape. */
export function registerPredictRoute(app: FastifyInstance, context: AppContext): void {
  app.post<{ Body: PredictBody; Params: PredictParams }>(
    '/v1/models/:ref/predict',
    { schema: { body: PredictBody, params: PredictParams }, config: { scope: 'infer' } },
    async (request, reply) => {
      const texts = readInputs(request.body.inputs, context);
      request.log.debug({ inputs: texts.length }, 'predict request');
      const parameters = request.body.parameters ?? {};
      // A client that disconnects before its response is sent cancels its queued inputs.
      const disconnected = new AbortController();
      const onClose = (): void => {
        if (!reply.raw.writableFinished) disconnected.abort(new Error('client disconnected'));
      };
      reply.raw.once('close', onClose);
      const deadlineMs = context.settings['serving.request_deadline_ms'];
      const submitOptions = {
        signal: disconnected.signal,
        ...(deadlineMs === 0 ? {} : { deadlineMs }),
      };
      // A reload after an unload runs the attempt again, but the tokens count once.
      let metered = false;
      const meterInput = async (tokens: number): Promise<void> => {
        if (metered) return;
        metered = true;
        await meterTokens(request, { input: tokens });
      };
      let results: readonly unknown[];
      try {
        results = await withReloadOnUnload(async () => {
          const model = await context.pool.get(request.params.ref);
          request.modelReference = model.reference;
          switch (model.kind) {
            case 'in-house': {
              const topK = readTopK(parameters);
              const encodings = encodeInputs(model, texts, request.body.inputs);
              await meterInput(countEncodedTokens(encodings));
              const rows = await model.scheduler.submit(encodings, submitOptions);
              return rows.map((row) => model.pipeline.rank(row, { topK }));
            }
            case 'in-house-tagger':
              return tagInHouse(model, texts, parameters, submitOptions, meterInput);
            case 'in-house-srl':
              return labelSemanticRoles(
                model,
                texts,
                Array.isArray(request.body.inputs),
                parameters,
                context.settings['limits.max_predicates'],
                submitOptions,
                meterInput,
              );
            case 'huggingface':
              // Hugging Face folders tokenize inside the batch, so their input is metered in
              // characters rather than tokenized twice.
              await meterInput(countCharacters(texts));
              return model.serving.submit(texts, parameters, submitOptions);
            case 'llama-generation':
              return predictGeneration(
                model,
                texts,
                parameters,
                submitOptions,
                context.settings['limits.max_tokens'],
                async (counts) => {
                  if (counts.input !== undefined) await meterInput(counts.input);
                  if (counts.output !== undefined)
                    await meterTokens(request, { output: counts.output });
                },
              );
            case 'llama-embedding':
              await meterInput(countCharacters(texts));
              return predictEmbedding(model, texts, parameters, submitOptions);
          }
        });
      } finally {
        reply.raw.off('close', onClose);
      }
      return Array.isArray(request.body.inputs) ? results : results[0];
    },
  );
}

/**
 * Runs `attempt` again once if the model was unloaded while the request waited, so that an
 * unload or an eviction costs the request a reload instead of a 503.
 */
async function withReloadOnUnload<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof MaasError && error.code === 'MAAS_ERR_NOT_READY') return attempt();
    throw error;
  }
}

/**
 * Encodes `texts` with the tokenizer of a model trained here.
 *
 * @throws MaasError `MAAS_ERR_INPUT_EMPTY` for a text with no tokens.
 */
function encodeInputs(model: InHouseModel, texts: string[], inputs: unknown): Encoding[] {
  const encodings = texts.map((text) => model.pipeline.tokenizer.encode(text));
  const empty = encodings.findIndex((encoding) => encoding.length === 0);
  if (empty !== -1) {
    const param = Array.isArray(inputs) ? `inputs[${empty}]` : 'inputs';
    throw new MaasError(
      'MAAS_ERR_INPUT_EMPTY',
      `${param} has no text left after normalization; send at least one visible character`,
      { param },
    );
  }
  return encodings;
}

/** Windows of a tagger request queued at once; the default queue length is 1,024. */
const TAGGER_WINDOWS_PER_SUBMIT = 128;

/**
 * Splits `texts` into token windows, queues all windows of the request together and merges
 * each text's tags into entities. A text without tokens gets an empty list.
 */
async function tagInHouse(
  model: InHouseTaggerModel,
  texts: string[],
  parameters: Record<string, unknown>,
  submitOptions: SubmitOptions,
  meterInput: (tokens: number) => Promise<void>,
): Promise<unknown[]> {
  const encodings = texts.map((text) => model.pipeline.encode(text));
  // Checks the parameters before anything is queued.
  model.pipeline.readParameters(parameters);
  const windows = encodings.flatMap((encoding) => encoding.windows);
  await meterInput(countEncodedTokens(windows));
  // Long inputs give many windows. Queueing them in slices keeps a request within the queue
  // length, because that limit is meant for requests, not for the windows of one text.
  const scores = await submitInSlices(
    model.scheduler,
    windows,
    TAGGER_WINDOWS_PER_SUBMIT,
    submitOptions,
  );
  let next = 0;
  return texts.map((text, index) => {
    const encoding = encodings[index] as (typeof encodings)[number];
    const own = scores.slice(next, next + encoding.windows.length);
    next += encoding.windows.length;
    return model.pipeline.entities(text, encoding, own, parameters);
  });
}

/** Parameters that in-house classifiers take, as the Hugging Face text-classification task names them. */
const CLASSIFIER_PARAMETERS = ['top_k', 'function_to_apply'];

/**
 * Reads `parameters.top_k`: a positive integer, or null for every label; 1 when absent.
 * `function_to_apply` may only be `softmax`, because in-house classifiers output softmax
 * probabilities.
 */
function readTopK(parameters: Record<string, unknown>): number | null {
  for (const name of Object.keys(parameters)) {
    if (!CLASSIFIER_PARAMETERS.includes(name)) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.${name} is not a known field; text-classification takes ${CLASSIFIER_PARAMETERS.join(', ')}`,
        { param: `parameters.${name}` },
      );
    }
  }
  const scoreFunction = parameters['function_to_apply'];
  if (scoreFunction !== undefined && scoreFunction !== 'softmax') {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `parameters.function_to_apply must be "softmax" for this model, got ${JSON.stringify(scoreFunction)}: it outputs softmax probabilities, not logits`,
      { param: 'parameters.function_to_apply' },
    );
  }
  const topK = parameters['top_k'];
  if (topK === undefined) return 1;
  if (topK === null || (Number.isSafeInteger(topK) && (topK as number) >= 1)) {
    return topK as number | null;
  }
  throw new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `parameters.top_k must be a positive integer or null for every label, got ${JSON.stringify(topK)}`,
    { param: 'parameters.top_k' },
  );
}

/** Checks `inputs` against the request limits and returns it as a list. */
function readInputs(inputs: unknown, context: AppContext): string[] {
  const maxInputs = context.settings['limits.max_inputs'];
  const maxChars = context.settings['limits.max_input_chars'];
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  if (!Array.isArray(list) || list.length === 0) {
    const found =
      inputs === undefined
        ? 'nothing'
        : Array.isArray(inputs)
          ? 'an empty array'
          : typeName(inputs);
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `inputs must be a string or a non-empty array of strings, got ${found}`,
      { param: 'inputs' },
    );
  }
  if (list.length > maxInputs) {
    throw new MaasError(
      'MAAS_ERR_INPUT_TOO_MANY',
      `inputs has ${list.length} texts; at most ${maxInputs} are allowed per request (limits.max_inputs)`,
      { param: 'inputs' },
    );
  }
  list.forEach((text: unknown, index) => {
    const param = typeof inputs === 'string' ? 'inputs' : `inputs[${index}]`;
    if (typeof text !== 'string') {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `${param} must be a string, got ${typeName(text)}`,
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
    checkInputText(text, param);
  });
  return list as string[];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
