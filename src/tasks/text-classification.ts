import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MaasError } from '../errors/index.js';
import type { LoadedGraph } from '../runtimes/index.js';
import { Tokenizer, type BatchEncoding, type Encoding } from '../text/index.js';

export const TOKENIZER_FILE = 'tokenizer.json';

/** One label with its probability, as the Hugging Face Inference API returns it. */
export interface LabelScore {
  label: string;
  score: number;
}

export interface TextClassificationParameters {
  /** Labels returned per input, highest score first; `null` returns every label. */
  topK?: number | null;
}

/** Tokenize → run the graph → turn score rows into sorted label lists. */
export class TextClassificationPipeline {
  readonly tokenizer: Tokenizer;
  readonly labels: readonly string[];
  readonly #graph: LoadedGraph;

  constructor(tokenizer: Tokenizer, graph: LoadedGraph, labels: readonly string[]) {
    if (graph.outputSize !== labels.length) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `the model has ${graph.outputSize} outputs but the model card lists ${labels.length} labels`,
      );
    }
    this.tokenizer = tokenizer;
    this.#graph = graph;
    this.labels = labels;
  }

  /** Number of tokens each text encodes to, after normalization and truncation. */
  countTokens(texts: readonly string[]): number[] {
    return texts.map((text) => this.tokenizer.encode(text).length);
  }

  async predict(
    texts: readonly string[],
    parameters: TextClassificationParameters = {},
  ): Promise<LabelScore[][]> {
    return this.classify(this.encode(texts), parameters);
  }

  /** Normalizes, segments and maps `texts` to ids, padded at the end to the longest input. */
  encode(texts: readonly string[]): BatchEncoding {
    return this.tokenizer.encodeBatch(texts, { padding: 'longest' });
  }

  /** Runs an encoded batch and returns one sorted label list per row. */
  async classify(
    batch: BatchEncoding,
    parameters: TextClassificationParameters = {},
  ): Promise<LabelScore[][]> {
    const scores = await this.#graph.run(batch);
    return batch.lengths.map((_, row) =>
      this.rank(
        scores.subarray(row * this.labels.length, (row + 1) * this.labels.length),
        parameters,
      ),
    );
  }

  /**
   * Pads `encodings` into one batch, runs it and returns each row's scores, in order. The
   * scheduler calls this with the inputs of several requests.
   */
  async score(encodings: readonly Encoding[]): Promise<Float32Array[]> {
    const scores = await this.#graph.run(this.tokenizer.pad(encodings));
    const width = this.labels.length;
    return encodings.map((_, row) => scores.slice(row * width, (row + 1) * width));
  }

  /** Turns one row of scores into labels sorted by score and cut to `top_k`. */
  rank(scores: Float32Array, parameters: TextClassificationParameters = {}): LabelScore[] {
    const count =
      parameters.topK === null
        ? this.labels.length
        : Math.min(parameters.topK ?? 1, this.labels.length);
    const ranked = this.labels.map((label, index) => ({
      label,
      score: scores[index] as number,
    }));
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, count);
  }

  dispose(): void {
    this.#graph.dispose();
  }
}

/** Reads `tokenizer.json` of a version folder. */
export async function readTokenizer(dir: string): Promise<Tokenizer> {
  const path = join(dir, TOKENIZER_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot read ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return Tokenizer.fromJSON(parsed);
}
