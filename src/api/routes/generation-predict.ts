import { MaasError } from '../../errors/index.js';
import type { LlamaEmbeddingModel, LlamaGenerationModel } from '../../serving/model-pool.js';
import type { SubmitOptions } from '../../serving/scheduler/index.js';
import { readSampling } from './openai/sampling.js';

/** Parameters of a text-generation predict request, with the Hugging Face names. */
const GENERATION_PARAMETERS = [
  'max_new_tokens',
  'temperature',
  'top_p',
  'top_k',
  'seed',
  'stop',
  'do_sample',
  'return_full_text',
] as const;

function readBoolean(
  parameters: Record<string, unknown>,
  name: string,
  fallback: boolean,
): boolean {
  const value = parameters[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `parameters.${name} must be true or false, got ${JSON.stringify(value)}`,
      { param: `parameters.${name}` },
    );
  }
  return value;
}

/**
 * Generates text for each input, as the Hugging Face Inference API does:
 * `[{"generated_text"}]` per input, the prompt included unless `return_full_text` is false.
 * `do_sample: false` decodes greedily; otherwise `temperature` (default 1) applies. Inputs
 * run as separate generations, side by side on the model's sequences.
 */
export async function predictGeneration(
  model: LlamaGenerationModel,
  texts: readonly string[],
  parameters: Record<string, unknown>,
  submitOptions: SubmitOptions,
  maxTokensLimit: number,
  meter: (counts: { input?: number; output?: number }) => Promise<void> = async () => {},
): Promise<{ generated_text: string }[][]> {
  for (const name of Object.keys(parameters)) {
    if (!(GENERATION_PARAMETERS as readonly string[]).includes(name)) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.${name} is not a known field; text-generation takes ${GENERATION_PARAMETERS.join(', ')}`,
        { param: `parameters.${name}` },
      );
    }
  }
  const sampling = readSampling(
    parameters,
    { maxTokens: 'max_new_tokens', prefix: 'parameters.' },
    maxTokensLimit,
  );
  if (!readBoolean(parameters, 'do_sample', true)) sampling.temperature = 0;
  const fullText = readBoolean(parameters, 'return_full_text', true);

  const prompts = texts.map((text) => model.serving.generator.tokenizePrompt(text));
  // Input tokens count before anything runs, so a request over its key's limits fails first.
  await meter({ input: prompts.reduce((sum, prompt) => sum + prompt.length, 0) });
  const results = await Promise.all(
    prompts.map((promptTokens) =>
      model.serving.generate(
        {
          ...sampling,
          promptTokens,
          onCancelled: (completionTokens: number) => {
            meter({ output: completionTokens }).catch(() => undefined);
          },
          ...(submitOptions.signal === undefined ? {} : { signal: submitOptions.signal }),
        },
        submitOptions,
      ),
    ),
  );
  await meter({ output: results.reduce((sum, result) => sum + result.completionTokens, 0) });
  return results.map((result, index) => [
    { generated_text: (fullText ? texts[index] : '') + result.text },
  ]);
}

/** Returns one embedding vector per input, as feature-extraction with mean pooling does. */
export async function predictEmbedding(
  model: LlamaEmbeddingModel,
  texts: readonly string[],
  parameters: Record<string, unknown>,
  submitOptions: SubmitOptions,
): Promise<number[][]> {
  const unknown = Object.keys(parameters)[0];
  if (unknown !== undefined) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `parameters.${unknown} is not a known field; GGUF feature-extraction models take no parameters`,
      { param: `parameters.${unknown}` },
    );
  }
  const vectors = await model.serving.embed(texts, submitOptions);
  return vectors.map((vector) => Array.from(vector));
}
