import { Type } from '@sinclair/typebox';
import { MaasError } from '../../../errors/index.js';

/** Body fields that the chat and text completion routes share: sampling and streaming. */
export const GENERATION_FIELDS = {
  max_tokens: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  temperature: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  top_p: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  top_k: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  seed: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()])),
  n: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  stream_options: Type.Optional(
    Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }), Type.Null()]),
  ),
};

/** Sampling options of one generation, read from a request. */
export interface Sampling {
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number | undefined;
  stop: string[];
}

/** Request field names of each sampling option, which differ between APIs. */
export interface SamplingFieldNames {
  maxTokens: string;
  prefix?: string;
}

/** Most stop sequences per request, as the OpenAI API allows. */
export const MAX_STOP_SEQUENCES = 4;

function invalid(param: string, message: string): MaasError {
  return new MaasError('MAAS_ERR_REQUEST_INVALID', `${param} ${message}`, { param });
}

function readNumber(
  value: unknown,
  param: string,
  range: { min: number; max: number },
  fallback: number,
): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !(value >= range.min && value <= range.max)) {
    throw invalid(
      param,
      `must be a number from ${range.min} to ${range.max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function readInteger(value: unknown, param: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalid(param, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** Reads `stop`: a string or a list of at most {@link MAX_STOP_SEQUENCES} strings. */
function readStop(value: unknown, param: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length > MAX_STOP_SEQUENCES ||
    !list.every((item) => typeof item === 'string')
  ) {
    throw invalid(
      param,
      `must be a string or a list of at most ${MAX_STOP_SEQUENCES} strings, got ${JSON.stringify(value)}`,
    );
  }
  return list.filter((item) => item !== '');
}

/**
 * Reads the sampling fields of a request body: `max_tokens` (or the name in `names`),
 * `temperature` (0 to 2, default 1; 0 is greedy), `top_p` (0 to 1, default 1), `top_k` (0,
 * the default, keeps every token), `seed` and `stop`.
 *
 * @throws MaasError `MAAS_ERR_REQUEST_INVALID` naming the first invalid field, including a
 * `max_tokens` above `maxTokensLimit` (the setting `limits.max_tokens`).
 */
export function readSampling(
  body: Record<string, unknown>,
  names: SamplingFieldNames,
  maxTokensLimit: number,
): Sampling {
  const prefix = names.prefix ?? '';
  const maxTokensParam = `${prefix}${names.maxTokens}`;
  const maxTokens = body[names.maxTokens];
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    Number.isSafeInteger(maxTokens) &&
    (maxTokens as number) > maxTokensLimit
  ) {
    throw invalid(
      maxTokensParam,
      `is ${String(maxTokens)} but at most ${maxTokensLimit} tokens may be generated per request (limits.max_tokens)`,
    );
  }
  return {
    maxTokens: readInteger(maxTokens, maxTokensParam, 1, maxTokensLimit) ?? maxTokensLimit,
    temperature: readNumber(body['temperature'], `${prefix}temperature`, { min: 0, max: 2 }, 1),
    topP: readNumber(body['top_p'], `${prefix}top_p`, { min: 0, max: 1 }, 1),
    topK: readInteger(body['top_k'], `${prefix}top_k`, 0, 1_000_000) ?? 0,
    seed: readInteger(body['seed'], `${prefix}seed`, 0, 0xffff_ffff),
    stop: readStop(body['stop'], `${prefix}stop`),
  };
}

/**
 * Checks OpenAI's `n`: this server generates one choice per request.
 *
 * @throws MaasError `MAAS_ERR_REQUEST_INVALID` for any value other than 1.
 */
export function readChoiceCount(n: unknown): void {
  if (n === undefined || n === null || n === 1) return;
  throw invalid('n', `must be 1, got ${JSON.stringify(n)}; send one request per choice`);
}
