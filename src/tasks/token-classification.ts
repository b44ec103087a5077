import { MaasError } from '../errors/index.js';
import type { LoadedGraph } from '../runtimes/index.js';
import { Vocabulary, type Encoding } from '../text/index.js';
import { bioConstraints } from '../training/tagging/crf.js';
import { decodeTags, softmaxRows } from '../training/tagging/decode.js';
import { splitTokens, type SplitToken } from '../training/tagging/token-splitter.js';
import { createTokenEncoder, type TokenEncoder } from '../training/tagging/word-features.js';
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
  readonly #encoder: TokenEncoder;
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
    this.#encoder = createTokenEncoder(
      Vocabulary.fromTokens(file.vocabulary),
      file.word_features ?? null,
    );
    this.#graph = graph;
    this.#constraints = bioConstraints(file.tags);
  }

  /**
   * Splits `text` into tokens and windows of ids; a text without tokens has no windows.
   *
   * NOTE: windows do not overlap, so an entity across a window boundary comes back as two.
   */
  encode(text: string): TaggerEncoding {
    return this.encodeTokens(splitTokens(text, this.#file.unit));
  }

  /**
   * Encodes tokens that are already split, such as the tokens of a CoNLL file. A window's
   * `ids` has one row of the encoder's width per token.
   */
  encodeTokens(tokens: SplitToken[]): TaggerEncoding {
    const windows: Encoding[] = [];
    for (let start = 0; start < tokens.length; start += this.#file.max_length) {
      const texts = tokens.slice(start, start + this.#file.max_length).map((token) => token.text);
      windows.push({
        ids: [...this.#encoder.encode(texts)],
        attentionMask: texts.map(() => 1),
        length: texts.length,
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
    const featureWidth = this.#encoder.width;
    const ids = new Int32Array(windows.length * steps * featureWidth);
    const attentionMask = new Int32Array(windows.length * steps);
    windows.forEach((window, row) => {
      ids.set(window.ids, row * steps * featureWidth);
      attentionMask.fill(1, row * steps, row * steps + window.length);
    });
    const scores = await this.#graph.run({
      ids,
      attentionMask,
      batchSize: windows.length,
      sequenceLength: steps,
      ...(featureWidth === 1 ? {} : { featureWidth }),
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
   * Returns the decoded tag of every token of `encoding` (Viterbi for a CRF tagger), as
   * {@link entities} decodes them before merging tokens into entities.
   */
  decodeTags(encoding: TaggerEncoding, windowScores: readonly Float32Array[]): string[] {
    const width = this.tags.length;
    return encoding.windows.flatMap((window, index) =>
      decodeTags(
        windowScores[index] as Float32Array,
        window.length,
        width,
        this.#file.crf,
        this.#constraints,
      ).map((tag) => this.tags[tag] as string),
    );
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
    // Offsets are not needed here: the tags come back by token position.
    const encodings = sentences.map((tokens) =>
      this.encodeTokens(tokens.map((text) => ({ text, start: 0, end: text.length }))),
    );
    const windows = encodings.flatMap((encoding) => encoding.windows);
    const scores = windows.length === 0 ? [] : await this.score(windows);
    let next = 0;
    return encodings.map((encoding) => {
      const count = encoding.windows.length;
      const tags = this.decodeTags(encoding, scores.slice(next, next + count));
      next += count;
      return tags;
    });
  }

  dispose(): void {
    this.#graph.dispose();
  }
}
