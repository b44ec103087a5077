import { MaasError } from '../errors/index.js';
import type { LoadedGraph } from '../runtimes/index.js';
import { Vocabulary, type Encoding } from '../text/index.js';
import { decodeRoles } from '../training/srl/decode.js';
import { splitTokens, tokenKey, type SplitToken } from '../training/tagging/token-splitter.js';
import { rejectUnknownParameters, type RawParameters } from './hf/parameters.js';
import { SEMANTIC_ROLE_LABELING_TASK, type SrlTaggerFile } from './srl-tagger-file.js';

/** The window of tokens the model runs for one predicate, with its indicator. */
export interface SrlEncoding extends Encoding {
  /** 1 on the predicate token, 0 elsewhere, one per id. */
  predicateIndicator: number[];
  /** Index of the window's first token among the input's tokens. */
  offset: number;
  /** Index of the predicate among the input's tokens. */
  predicateIndex: number;
}

/** An input split into words, with one window per requested predicate. */
export interface SrlInputEncoding {
  tokens: SplitToken[];
  windows: SrlEncoding[];
}

/** A word of the input with its offsets in UTF-16 code units and its index among the words. */
export interface SrlWord {
  index: number;
  word: string;
  start: number;
  end: number;
}

/** An argument of a predicate: the head word of the phrase and its PropBank role. */
export interface SrlArgument extends SrlWord {
  role: string;
  /** Probability the model gives the role on this word. */
  score: number;
}

/** The arguments of one predicate of an input. */
export interface SrlFrame {
  predicate: SrlWord;
  arguments: SrlArgument[];
}

const PARAMETERS = ['predicate_index', 'predicate_indexes'] as const;

/**
 * Split into words → one window per predicate with its indicator → run the graph → pick each
 * word's most probable role → list the words with a role as the predicate's arguments, with
 * offsets into the original input.
 */
export class SemanticRoleLabelingPipeline {
  readonly roles: readonly string[];
  readonly maxLength: number;
  readonly #vocabulary: Vocabulary;
  readonly #graph: LoadedGraph;
  readonly #noRole: number;
  readonly #predicateRole: number;

  constructor(file: SrlTaggerFile, graph: LoadedGraph) {
    if (graph.outputSize !== file.roles.length) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `the model has ${graph.outputSize} outputs per token but tagger.json lists ${file.roles.length} roles`,
      );
    }
    this.roles = file.roles;
    this.maxLength = file.max_length;
    this.#vocabulary = Vocabulary.fromTokens(file.vocabulary);
    this.#graph = graph;
    this.#noRole = file.roles.indexOf(file.no_role);
    this.#predicateRole = file.roles.indexOf(file.predicate_role);
  }

  /**
   * Reads the predicates of a request: `predicate_index` (one word index) or
   * `predicate_indexes` (a non-empty list of distinct word indexes), 0-based over the words
   * the model splits the input into. Exactly one of the two is required, and the list has at
   * most `maxPredicates` entries.
   *
   * @throws MaasError `MAAS_ERR_REQUEST_INVALID` naming the parameter.
   */
  readPredicates(parameters: RawParameters, maxPredicates: number): number[] {
    rejectUnknownParameters(SEMANTIC_ROLE_LABELING_TASK, parameters, PARAMETERS);
    const single = parameters['predicate_index'];
    const list = parameters['predicate_indexes'];
    if (single !== undefined && list !== undefined) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        'send parameters.predicate_index or parameters.predicate_indexes, not both',
        { param: 'parameters.predicate_indexes' },
      );
    }
    if (single === undefined && list === undefined) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        'parameters.predicate_index is required: the 0-based index of the predicate word (or send parameters.predicate_indexes, a list of them)',
        { param: 'parameters.predicate_index' },
      );
    }
    if (single !== undefined) {
      checkWordIndex(single, 'parameters.predicate_index');
      return [single as number];
    }
    if (!Array.isArray(list) || list.length === 0) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.predicate_indexes must be a non-empty list of word indexes, got ${JSON.stringify(list)}`,
        { param: 'parameters.predicate_indexes' },
      );
    }
    if (list.length > maxPredicates) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.predicate_indexes has ${list.length} predicates; at most ${maxPredicates} are allowed (limits.max_predicates), because each predicate runs the model once per input`,
        { param: 'parameters.predicate_indexes' },
      );
    }
    const seen = new Set<number>();
    list.forEach((value: unknown, position) => {
      const param = `parameters.predicate_indexes[${position}]`;
      checkWordIndex(value, param);
      if (seen.has(value as number)) {
        throw new MaasError(
          'MAAS_ERR_REQUEST_INVALID',
          `${param} repeats word index ${String(value)}; list each predicate once`,
          { param },
        );
      }
      seen.add(value as number);
    });
    return list as number[];
  }

  /**
   * Splits `text` into words and builds one window per predicate. An input longer than
   * `max_length` words is cut to the `max_length` words around each predicate.
   *
   * @throws MaasError `MAAS_ERR_INPUT_EMPTY` naming `param` for a text without words, and
   * `MAAS_ERR_REQUEST_INVALID` naming the predicate parameter for an index past its last word.
   */
  encode(
    text: string,
    predicates: readonly number[],
    param: string,
    single: boolean,
  ): SrlInputEncoding {
    const tokens = splitTokens(text, 'word');
    if (tokens.length === 0) {
      throw new MaasError(
        'MAAS_ERR_INPUT_EMPTY',
        `${param} has no words, so it has no predicate; send text with at least one word`,
        { param },
      );
    }
    return { tokens, windows: this.#windows(tokens.length, tokens, predicates, param, single) };
  }

  /**
   * Builds the windows of pre-split `words`, as a CoNLL-U file gives them; their offsets
   * assume the words joined by single spaces.
   *
   * @throws MaasError as {@link SemanticRoleLabelingPipeline.encode} does.
   */
  encodeWords(
    words: readonly string[],
    predicates: readonly number[],
    param: string,
  ): SrlInputEncoding {
    const tokens: SplitToken[] = [];
    let start = 0;
    for (const word of words) {
      tokens.push({ text: word, start, end: start + word.length });
      start += word.length + 1;
    }
    if (tokens.length === 0) {
      throw new MaasError('MAAS_ERR_INPUT_EMPTY', `${param} has no words`, { param });
    }
    return { tokens, windows: this.#windows(tokens.length, tokens, predicates, param, false) };
  }

  #windows(
    count: number,
    tokens: readonly SplitToken[],
    predicates: readonly number[],
    param: string,
    single: boolean,
  ): SrlEncoding[] {
    return predicates.map((predicateIndex, position) => {
      if (predicateIndex >= count) {
        const name = single
          ? 'parameters.predicate_index'
          : `parameters.predicate_indexes[${position}]`;
        throw new MaasError(
          'MAAS_ERR_REQUEST_INVALID',
          `${name} is ${predicateIndex}, but ${param} has ${count} word(s), so the index must be 0 to ${count - 1}`,
          { param: name },
        );
      }
      // NOTE: a predicate's arguments outside its window of max_length words are not found.
      const offset = Math.max(
        0,
        Math.min(predicateIndex - Math.floor(this.maxLength / 2), count - this.maxLength),
      );
      const ids = tokens
        .slice(offset, offset + this.maxLength)
        .map((token) => this.#vocabulary.idOf(tokenKey(token.text)));
      const predicateIndicator = ids.map((_, index) => (offset + index === predicateIndex ? 1 : 0));
      return {
        ids,
        attentionMask: ids.map(() => 1),
        length: ids.length,
        truncated: ids.length < count,
        predicateIndicator,
        offset,
        predicateIndex,
      };
    });
  }

  /**
   * Pads `windows` into one batch, runs it and returns each window's role probabilities,
   * `[length, roles]` row-major. The scheduler calls this with the windows of several requests.
   */
  async score(windows: readonly SrlEncoding[]): Promise<Float32Array[]> {
    const steps = Math.max(1, ...windows.map((window) => window.length));
    const ids = new Int32Array(windows.length * steps);
    const attentionMask = new Int32Array(windows.length * steps);
    const predicateIndicator = new Int32Array(windows.length * steps);
    windows.forEach((window, row) => {
      ids.set(window.ids, row * steps);
      attentionMask.fill(1, row * steps, row * steps + window.length);
      predicateIndicator.set(window.predicateIndicator, row * steps);
    });
    const scores = await this.#graph.run({
      ids,
      attentionMask,
      predicateIndicator,
      batchSize: windows.length,
      sequenceLength: steps,
    });
    const width = this.roles.length;
    return windows.map((window, row) =>
      scores.slice(row * steps * width, (row * steps + window.length) * width),
    );
  }

  /** Turns the scores of an input's windows into one frame per predicate, in request order. */
  frames(encoding: SrlInputEncoding, windowScores: readonly Float32Array[]): SrlFrame[] {
    const width = this.roles.length;
    const wordAt = (index: number): SrlWord => {
      const token = encoding.tokens[index] as SplitToken;
      return { index, word: token.text, start: token.start, end: token.end };
    };
    return encoding.windows.map((window, position) => {
      const scores = windowScores[position] as Float32Array;
      const path = decodeRoles(
        scores,
        window.length,
        width,
        window.predicateIndex - window.offset,
        this.#predicateRole,
      );
      const found: SrlArgument[] = [];
      path.forEach((role, step) => {
        if (role === this.#noRole || role === this.#predicateRole) return;
        found.push({
          ...wordAt(window.offset + step),
          role: this.roles[role] as string,
          score: scores[step * width + role] as number,
        });
      });
      return { predicate: wordAt(window.predicateIndex), arguments: found };
    });
  }

  dispose(): void {
    this.#graph.dispose();
  }
}

function checkWordIndex(value: unknown, param: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${param} must be a word index, an integer of 0 or more, got ${JSON.stringify(value)}`,
      { param },
    );
  }
}
