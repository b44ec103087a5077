import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { meterTokens } from '../../metering.js';
import { MaasError } from '../../../errors/index.js';
import type { FinishReason, GenerationResult } from '../../../runtimes/llama/index.js';
import type { LlamaGenerationModel, LoadedModel } from '../../../serving/model-pool.js';
import { openAiErrorBody } from './errors.js';
import type { Sampling } from './sampling.js';
import { TextPacer } from './text-pacer.js';

/** OpenAI's `usage` object. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(result: GenerationResult): Usage {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
  };
}

/**
 * Resolves `reference` to a loaded model and records it for the request log line.
 */
export async function getModel(
  context: AppContext,
  request: FastifyRequest,
  reference: string,
): Promise<LoadedModel> {
  let model: LoadedModel;
  try {
    model = await context.pool.get(reference);
  } catch (error) {
    // OpenAI names the field of an unknown model, so clients can point at it.
    if (error instanceof MaasError && error.param === undefined && error.status < 500) {
      throw new MaasError(error.code, error.message, {
        param: 'model',
        ...(error.details === undefined ? {} : { details: error.details }),
        cause: error,
      });
    }
    throw error;
  }
  (request as { modelReference?: string }).modelReference = model.reference;
  return model;
}

/**
 * Resolves `reference` to a loaded `text-generation` model.
 *
 * @throws MaasError `MAAS_ERR_TASK_UNSUPPORTED` for a model of another task.
 */
export async function getGenerationModel(
  context: AppContext,
  request: FastifyRequest,
  reference: string,
): Promise<LlamaGenerationModel> {
  const model = await getModel(context, request, reference);
  if (model.kind !== 'llama-generation') {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `model ${model.reference} has task ${model.task}; this route serves text-generation models, imported from GGUF files`,
      { param: 'model' },
    );
  }
  return model;
}

/** Chunk bodies of one streamed response; the route decides their OpenAI object shape. */
export interface ChunkFormat {
  /** The chunk sent once the generation has a sequence, before any text; none if undefined. */
  start?: () => object;
  text: (text: string) => object;
  finish: (reason: FinishReason) => object;
  usage: (usage: Usage) => object;
}

/**
 * Returns a function that builds the chunks of one stream: `envelope` (id, object, created,
 * model), the choices, and `usage: null` on every chunk before the usage chunk when the client
 * asked for usage, as OpenAI sends it.
 */
export function chunkBuilder(
  envelope: object,
  includeUsage: boolean,
): (choices: object[], extra?: object) => object {
  return (choices, extra = {}) => ({
    ...envelope,
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
}

/** Returns a signal that aborts when the client closes the connection before the response ends. */
export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

/** Deadline option of the scheduler from `serving.request_deadline_ms`. */
export function deadlineOf(context: AppContext): { deadlineMs?: number } {
  const deadlineMs = context.settings['serving.request_deadline_ms'];
  return deadlineMs === 0 ? {} : { deadlineMs };
}

/**
 * Runs a generation to its end and returns its result, for `stream: false`. The prompt
 * tokens are metered before it runs and the completion tokens after.
 */
export async function generateOnce(
  context: AppContext,
  reply: FastifyReply,
  model: LlamaGenerationModel,
  promptTokens: number[],
  sampling: Sampling,
): Promise<GenerationResult> {
  await meterTokens(reply.request, { input: promptTokens.length });
  const signal = disconnectSignal(reply);
  const result = await model.serving.generate(
    { ...sampling, promptTokens, signal, onCancelled: meterCancelled(reply) },
    { signal, ...deadlineOf(context) },
  );
  await meterTokens(reply.request, { output: result.completionTokens });
  return result;
}

/**
 * Returns a callback that meters the tokens a cancelled generation produced before it
 * stopped, so that a client cannot avoid its token limits by disconnecting. Metering errors
 * are logged, not thrown.
 */
export function meterCancelled(reply: FastifyReply): (completionTokens: number) => void {
  return (completionTokens) => {
    if (completionTokens === 0) return;
    meterTokens(reply.request, { output: completionTokens }).catch((error: unknown) =>
      reply.log.warn({ err: error }, 'output tokens of a cancelled generation not metered'),
    );
  };
}

/**
 * Streams a generation as server-sent events: chunks of text, paced by
 * `serving.stream_interval_ms` (see {@link TextPacer}), exactly one chunk
 * with `finish_reason`, a usage chunk when `includeUsage` is set, then `data: [DONE]`.
 * Errors before the generation leaves the queue, such as a full queue or a passed deadline,
 * reject as usual and so get their HTTP status. An error after the stream started is sent as
 * one more `data:` event with an OpenAI error body, before `[DONE]`.
 */
export async function streamGeneration(
  context: AppContext,
  reply: FastifyReply,
  model: LlamaGenerationModel,
  promptTokens: number[],
  sampling: Sampling,
  format: ChunkFormat,
  includeUsage: boolean,
): Promise<FastifyReply> {
  // Before the stream starts, so that a key over its limits gets a plain 429.
  await meterTokens(reply.request, { input: promptTokens.length });
  const events = new PassThrough();
  const send = (body: object | string): void => {
    events.write(`data: ${typeof body === 'string' ? body : JSON.stringify(body)}\n\n`);
  };
  const pacer = new TextPacer(context.settings['serving.stream_interval_ms'], (text) =>
    send(format.text(text)),
  );
  const signal = disconnectSignal(reply);
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  const generation = model.serving.generate(
    {
      ...sampling,
      promptTokens,
      signal,
      onText: (text) => pacer.push(text),
      onCancelled: meterCancelled(reply),
    },
    {
      signal,
      ...deadlineOf(context),
      onStart: () => {
        if (format.start !== undefined) send(format.start());
        markStarted();
      },
    },
  );
  await Promise.race([started, generation]);

  void generation.then(
    async (result) => {
      await meterTokens(reply.request, { output: result.completionTokens }).catch(
        (error: unknown) => reply.log.warn({ err: error }, 'output tokens not metered'),
      );
      pacer.flush();
      send(format.finish(result.finishReason));
      if (includeUsage) send(format.usage(usageOf(result)));
      send('[DONE]');
      events.end();
    },
    (error: unknown) => {
      if (signal.aborted) {
        pacer.discard();
      } else {
        pacer.flush();
        reply.log.error({ err: error }, 'generation failed after the stream started');
        const body = openAiErrorBody(
          error instanceof MaasError
            ? error
            : new MaasError(
                'MAAS_ERR_INTERNAL_ERROR',
                'the generation failed; the server log has the details',
              ),
        );
        send(body);
        send('[DONE]');
      }
      events.end();
    },
  );
  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(events);
}
