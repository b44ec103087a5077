import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';

const PredictBody = Type.Object(
  {
    // Checked in the handler, which can name the offending element.
    inputs: Type.Unknown(),
    parameters: Type.Optional(
      Type.Object(
        { top_k: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])) },
        { additionalProperties: false },
      ),
    ),
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
    { schema: { body: PredictBody, params: PredictParams } },
    async (request, reply) => {
      const texts = readInputs(request.body.inputs, context);
      request.log.debug({ inputs: texts.length }, 'predict request');
      const model = await context.pool.get(request.params.ref);
      (request as { modelReference?: string }).modelReference = model.reference;

      const encodings = texts.map((text) => model.pipeline.tokenizer.encode(text));
      const empty = encodings.findIndex((encoding) => encoding.length === 0);
      if (empty !== -1) {
        const param = Array.isArray(request.body.inputs) ? `inputs[${empty}]` : 'inputs';
        throw new MaasError(
          'MAAS_ERR_INPUT_EMPTY',
          `${param} has no text left after normalization; send at least one visible character`,
          { param },
        );
      }

      // A client that disconnects before its response is sent cancels its queued inputs.
      const disconnected = new AbortController();
      const onClose = (): void => {
        if (!reply.raw.writableFinished) disconnected.abort(new Error('client disconnected'));
      };
      reply.raw.once('close', onClose);
      const deadlineMs = context.settings['serving.request_deadline_ms'];
      let rows: Float32Array[];
      try {
        rows = await model.scheduler.submit(encodings, {
          signal: disconnected.signal,
          ...(deadlineMs === 0 ? {} : { deadlineMs }),
        });
      } finally {
        reply.raw.off('close', onClose);
      }

      const topK = request.body.parameters?.top_k;
      const results = rows.map((row) =>
        model.pipeline.rank(row, { topK: topK === undefined ? 1 : topK }),
      );
      return Array.isArray(request.body.inputs) ? results : results[0];
    },
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
  });
  return list as string[];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
