import { MaasError } from '../errors/index.js';
import type { LoadedGraph } from '../runtimes/index.js';
import { Vocabulary, type Encoding } from '../text/index.js';
import { bioConstraints } from '../training/tagging/crf.js';
import { decodeTags, softmaxRows } from '../training/tagging/decode.js';
import { splitTokens, tokenKey, type SplitToken } from '../training/tagging/token-splitter.js';
import {
  AGGREGATION_STRATEGIES,
  aggregateTokens,
  type ScoredToken,
} from './hf/token-aggregation.js';
import {
  readChoice,
  readStringList,
  rejectUnknownParameters,
  type RawParameters,
} from './hf/parameters.js';
import type { EntityGroup, TokenEntity } from './hf/types.js';
import type { TaggerFile } from './tagger-file.js';

/** An input split into tokens, and into windows of ids the model runs one by one. */
export interface TaggerEncoding {
  tokens: SplitToken[];
  /** Windows of at most `max_length` tokens, in order. */
  windows: Encoding[];
}

const PARAMETERS = ['aggregation_strategy', 'ignore_labels'] as const;

/**
 * Split into tokens → run the graph window by window → decode the tag path (Viterbi for a
 * CRF tagger) → merge tokens into entities with offsets into the original input.
 */
export class TokenClassificationPipeline {
  readonly tags: readonly string[];
  readonly #file: TaggerFile;
  readonly #vocabulary: Vocabulary;
  readonly #graph: LoadedGraph;
  readonly #constraints: ReturnType<typeof bioConstraints>;

  constructor(file: TaggerFile, graph: LoadedGraph) {
    if (graph.outputSize !== file.tags.length) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `the model has ${graph.outputSize} outputs per token but tagger.json lists ${file.tags.length} tags`,
      );
    }
    this.#file = file;
    this.tags = file.tags;
    this.#vocabulary = Vocabulary.fromTokens(file.vocabulary);
    this.#graph = graph;
    this.#constraints = bioConstraints(file.tags);
  }

  /**
   * Splits `text` into tokens and windows of ids; a text without tokens has no windows.
   *
   * NOTE: windows do not overlap, so an entity across a window boundary comes back as two.
   */
  encode(text: string): TaggerEncoding {
    const tokens = splitTokens(text, this.#file.unit);
    const windows: Encoding[] = [];
    for (let start = 0; start < tokens.length; start += this.#file.max_length) {
      const ids = tokens
        .slice(start, start + this.#file.max_length)
        .map((token) => this.#vocabulary.idOf(tokenKey(token.text)));
      windows.push({
        ids,
        attentionMask: ids.map(() => 1),
        length: ids.length,
        truncated: false,
      });
    }
    return { tokens, windows };
  }

  /**
   * Pads `windows` into one batch, runs it and returns each window's scores, `[length, tags]`
   * row-major. The scheduler calls this with the windows of several requests.
   */
  async score(windows: readonly Encoding[]): Promise<Float32Array[]> {
    const steps = Math.max(1, ...windows.map((window) => window.length));
    const ids = new Int32Array(windows.length * steps);
    const attentionMask = new Int32Array(windows.length * steps);
    windows.forEach((window, row) => {
      ids.set(window.ids, row * steps);
      attentionMask.fill(1, row * steps, row * steps + window.length);
    });
    const scores = await this.#graph.run({
      ids,
      attentionMask,
      batchSize: windows.length,
      sequenceLength: steps,
    });
    const width = this.tags.length;
    return windows.map((window, row) =>
      scores.slice(row * steps * width, (row * steps + window.length) * width),
    );
  }

  /**
   * Turns the scores of an input's windows into Hugging Face token-classification output:
   * entity groups (the default `simple` strategy) or one entry per token (`none`).
   */
  entities(
    text: string,
    encoding: TaggerEncoding,
    windowScores: readonly Float32Array[],
    parameters: RawParameters,
  ): EntityGroup[] | TokenEntity[] {
    const { strategy, ignoreLabels } = this.readParameters(parameters);
    const width = this.tags.length;
    const scored: ScoredToken[] = [];
    encoding.windows.forEach((window, index) => {
      const scores = windowScores[index] as Float32Array;
      const path = decodeTags(scores, window.length, width, this.#file.crf, this.#constraints);
      const probabilities =
        this.#file.crf === null ? scores : softmaxRows(scores, window.length, width);
      path.forEach((tag, step) => {
        const token = encoding.tokens[scored.length] as SplitToken;
        // Only the decoded tag carries a score, so aggregation keeps the Viterbi path.
        const row = new Array<number>(width).fill(0);
        row[tag] = probabilities[step * width + tag] as number;
        scored.push({
          index: scored.length,
          start: token.start,
          end: token.end,
          scores: row,
          isSubword: false,
        });
      });
    });
    return aggregateTokens(text, scored, this.tags, strategy, ignoreLabels);
  }

  /**
   * Reads `aggregation_strategy` (default `simple`) and `ignore_labels` (default `["O"]`).
   *
   * @throws MaasError `MAAS_ERR_REQUEST_INVALID` naming an unknown or invalid parameter.
   */
  readParameters(parameters: RawParameters): {
    strategy: (typeof AGGREGATION_STRATEGIES)[number];
    ignoreLabels: readonly string[];
  } {
    rejectUnknownParameters('token-classification', parameters, PARAMETERS);
    return {
      strategy: readChoice(parameters, 'aggregation_strategy', AGGREGATION_STRATEGIES, 'simple'),
      ignoreLabels: readStringList(parameters, 'ignore_labels', { fallback: ['O'] }),
    };
  }

  /**
   * Tags sentences that are already split into tokens, as a CoNLL file gives them, and
   * returns one tag name per token. Runs the graph directly, without a scheduler, on all the
   * windows of the sentences at once, so callers pass a few dozen sentences per call.
   */
  async tagTokens(sentences: readonly (readonly string[])[]): Promise<string[][]> {
    const windows: Encoding[] = [];
    const windowCounts = sentences.map((tokens) => {
      let count = 0;
      for (let start = 0; start < tokens.length; start += this.#file.max_length) {
        const ids = tokens
          .slice(start, start + this.#file.max_length)
          .map((token) => this.#vocabulary.idOf(tokenKey(token)));
        windows.push({
          ids,
          attentionMask: ids.map(() => 1),
          length: ids.length,
          truncated: false,
        });
        count++;
      }
      return count;
    });
    const scores = windows.length === 0 ? [] : await this.score(windows);
    const width = this.tags.length;
    let next = 0;
    return windowCounts.map((count) => {
      const tags: string[] = [];
      for (const window of windows.slice(next, next + count)) {
        const path = decodeTags(
          scores[next] as Float32Array,
          window.length,
          width,
          this.#file.crf,
          this.#constraints,
        );
        tags.push(...path.map((tag) => this.tags[tag] as string));
        next++;
      }
      return tags;
    });
  }

  dispose(): void {
    this.#graph.dispose();
  }
}
