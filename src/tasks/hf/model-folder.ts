import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MaasError } from '../../errors/index.js';

/**
 * Files a Hugging Face model folder must contain; the ONNX file is the fp32 export.
 * @huggingface/transformers 4.3 reads `tokenizer_class` from `tokenizer_config.json` and fails
 * without it.
 */
export const REQUIRED_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
] as const;

/** Fields of `config.json` that the task pipelines read. */
export interface ModelConfig {
  architectures?: string[];
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  problem_type?: string;
}

/** Facts of `tokenizer.json` that the token aligner needs. */
export interface TokenizerFacts {
  /** The `normalizer` entry, or null. */
  normalizer: unknown;
  /** Contents of `added_tokens`, which the tokenizer splits out before normalization. */
  addedTokens: string[];
  /** `model.continuing_subword_prefix`, `##` for WordPiece. */
  continuingSubwordPrefix: string | undefined;
  /** `model.unk_token`. */
  unknownToken: string | undefined;
}

/** Contents of a model folder that the loader reads before it loads the model. */
export interface ModelFolder {
  dir: string;
  config: ModelConfig;
  tokenizer: TokenizerFacts;
}

function readTokenizerFacts(json: Record<string, unknown>): TokenizerFacts {
  const added = Array.isArray(json.added_tokens)
    ? (json.added_tokens as { content?: unknown }[])
    : [];
  const model = (json.model ?? {}) as Record<string, unknown>;
  return {
    normalizer: json.normalizer ?? null,
    addedTokens: added.flatMap((token) =>
      typeof token.content === 'string' ? [token.content] : [],
    ),
    continuingSubwordPrefix:
      typeof model.continuing_subword_prefix === 'string'
        ? model.continuing_subword_prefix
        : undefined,
    unknownToken: typeof model.unk_token === 'string' ? model.unk_token : undefined,
  };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot read ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${path} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function assertObject(value: unknown, path: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MaasError('MAAS_ERR_ARTIFACT_INVALID', `${path} must contain a JSON object`);
  }
}

/**
 * Checks that `dir` contains every file of {@link REQUIRED_FILES} and reads `config.json` and
 * what the token aligner needs from `tokenizer.json`.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` naming the missing or invalid file.
 */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const kind = await stat(dir).then(
    (stats) => (stats.isDirectory() ? 'folder' : 'file'),
    () => 'missing',
  );
  if (kind !== 'folder') {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      kind === 'missing'
        ? `model folder ${dir} not found; pass the folder that contains config.json, tokenizer.json and onnx/model.onnx`
        : `${dir} is a file, not a model folder; pass the folder that contains config.json, tokenizer.json and onnx/model.onnx`,
    );
  }
  const missing: string[] = [];
  for (const file of REQUIRED_FILES) {
    try {
      await access(join(dir, file));
    } catch {
      missing.push(file);
    }
  }
  if (missing.length > 0) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `the model folder ${dir} is missing ${missing.join(', ')}: a Hugging Face folder needs ${REQUIRED_FILES.join(', ')}`,
    );
  }

  const configPath = join(dir, 'config.json');
  const config = await readJson(configPath);
  assertObject(config, configPath);
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizer = await readJson(tokenizerPath);
  assertObject(tokenizer, tokenizerPath);
  return { dir, config: config as ModelConfig, tokenizer: readTokenizerFacts(tokenizer) };
}

/** Labels in id order from `id2label`; a gap in the ids gets `LABEL_<id>` as Python does. */
export function labelsOf(config: ModelConfig): string[] {
  const id2label = config.id2label ?? {};
  const ids = Object.keys(id2label).map(Number);
  const count = ids.length === 0 ? 0 : Math.max(...ids) + 1;
  return Array.from({ length: count }, (_, id) => id2label[String(id)] ?? `LABEL_${id}`);
}
