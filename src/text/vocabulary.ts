import { MaasError } from '../errors/index.js';
import { describeValue } from './describe-value.js';

/** Token at id 0, used to pad sequences in a batch. */
export const PAD_TOKEN = '[PAD]';
/** Token at id 1, used for every token missing from the vocabulary. */
export const UNK_TOKEN = '[UNK]';
/** Id of {@link PAD_TOKEN}. */
export const PAD_ID = 0;
/** Id of {@link UNK_TOKEN}. */
export const UNK_ID = 1;

const RESERVED_TOKENS = [PAD_TOKEN, UNK_TOKEN] as const;

/** Limits for {@link Vocabulary.build}. */
export interface VocabularyOptions {
  /** Minimum number of occurrences for a token to enter the vocabulary, at least 1. */
  minCount: number;
  /** Maximum number of ids, including the two reserved ones, at least 2. */
  maxSize: number;
}

/**
 * Bidirectional map between tokens and integer ids. Ids 0 and 1 are always {@link PAD_TOKEN}
 * and {@link UNK_TOKEN}, and the other ids follow the order of {@link Vocabulary.tokens}.
 */
export class Vocabulary {
  static readonly PAD_TOKEN = PAD_TOKEN;
  static readonly UNK_TOKEN = UNK_TOKEN;
  static readonly PAD_ID = PAD_ID;
  static readonly UNK_ID = UNK_ID;

  readonly #tokens: readonly string[];
  readonly #ids: ReadonlyMap<string, number>;

  private constructor(tokens: readonly string[], ids: ReadonlyMap<string, number>) {
    this.#tokens = tokens;
    this.#ids = ids;
  }

  /**
   * Builds a vocabulary from token counts over `tokenLists`. Tokens that occur at least
   * `minCount` times get ids from 2 upwards by count, highest first, and tokens with equal
   * counts by UTF-16 code-unit order, so the same input always gives the same ids. Tokens
   * equal to a reserved token are not counted.
   *
   * @throws MaasError `MAAS_ERR_TRAINING_INVALID` if an option is out of range.
   */
  static build(tokenLists: Iterable<readonly string[]>, options: VocabularyOptions): Vocabulary {
    validateOptions(options);
    const counts = new Map<string, number>();
    for (const tokens of tokenLists) {
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    for (const reserved of RESERVED_TOKENS) counts.delete(reserved);

    const frequent = [...counts].filter(([, count]) => count >= options.minCount);
    frequent.sort(compareByCountThenToken);
    const tokens = frequent
      .slice(0, options.maxSize - RESERVED_TOKENS.length)
      .map(([token]) => token);
    return Vocabulary.fromTokens([...RESERVED_TOKENS, ...tokens]);
  }

  /**
   * Creates a vocabulary whose ids are the positions in `tokens`, as stored in a tokenizer
   * file.
   *
   * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` if the reserved tokens are not at ids 0
   * and 1, or a token is not a non-empty string or occurs twice. The message names the index.
   */
  static fromTokens(tokens: readonly string[]): Vocabulary {
    RESERVED_TOKENS.forEach((reserved, id) => {
      if (tokens[id] !== reserved) {
        throw invalidToken(
          `vocabulary[${id}] must be "${reserved}", got ${describeValue(tokens[id])}`,
        );
      }
    });
    const ids = new Map<string, number>();
    tokens.forEach((token: unknown, id) => {
      if (typeof token !== 'string' || token === '') {
        throw invalidToken(
          `vocabulary[${id}] must be a non-empty string, got ${describeValue(token)}`,
        );
      }
      const firstId = ids.get(token);
      if (firstId !== undefined) {
        throw invalidToken(
          `vocabulary[${id}] repeats vocabulary[${firstId}] ${describeValue(token)}`,
        );
      }
      ids.set(token, id);
    });
    return new Vocabulary(Object.freeze([...tokens]), ids);
  }

  /** Number of ids, including the reserved ones. */
  get size(): number {
    return this.#tokens.length;
  }

  /** Returns the id of `token`, or {@link UNK_ID} for a token outside the vocabulary. */
  idOf(token: string): number {
    return this.#ids.get(token) ?? UNK_ID;
  }

  /**
   * Returns the token with `id`.
   *
   * @throws RangeError if `id` is not an integer in `[0, size)`.
   */
  tokenOf(id: number): string {
    const token = Number.isInteger(id) ? this.#tokens[id] : undefined;
    if (token === undefined) {
      throw new RangeError(`Token id ${id} is outside the vocabulary of ${this.size} ids.`);
    }
    return token;
  }

  /** Returns all tokens in id order. The array is frozen. */
  tokens(): readonly string[] {
    return this.#tokens;
  }
}

function compareByCountThenToken(
  [tokenA, countA]: [string, number],
  [tokenB, countB]: [string, number],
): number {
  if (countA !== countB) return countB - countA;
  // Relational operators compare strings by UTF-16 code units, unlike localeCompare.
  if (tokenA < tokenB) return -1;
  if (tokenA > tokenB) return 1;
  return 0;
}

function validateOptions({ minCount, maxSize }: VocabularyOptions): void {
  if (!Number.isInteger(minCount) || minCount < 1) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `Vocabulary minCount must be an integer of at least 1, got ${minCount}.`,
      { param: 'minCount' },
    );
  }
  if (!Number.isInteger(maxSize) || maxSize < RESERVED_TOKENS.length) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `Vocabulary maxSize must be an integer of at least ${RESERVED_TOKENS.length} ` +
        `(the reserved ${PAD_TOKEN} and ${UNK_TOKEN}), got ${maxSize}.`,
      { param: 'maxSize' },
    );
  }
}

function invalidToken(problem: string): MaasError {
  return new MaasError('MAAS_ERR_ARTIFACT_INVALID', `Invalid vocabulary: ${problem}.`, {
    param: 'vocabulary',
  });
}
