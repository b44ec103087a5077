/**
 * Unit of metered tokens: `tokens` where the model's tokenizer counted them, `characters`
 * (UTF-16 code units) where tokenizing only to count would cost too much.
 */
export type TokenUnit = 'tokens' | 'characters';

/** Token counts of a request or of a part of one, such as a streamed chunk. */
export interface TokenCounts {
  readonly input?: number;
  readonly output?: number;
}

/** Counts `texts` in characters (UTF-16 code units), as `limits.max_input_chars` does. */
export function countCharacters(texts: readonly string[]): number {
  let total = 0;
  for (const text of texts) total += text.length;
  return total;
}

/** Sums the lengths of tokenizer outputs, one token id list per text. */
export function countEncodedTokens(encodings: readonly { readonly length: number }[]): number {
  let total = 0;
  for (const encoding of encodings) total += encoding.length;
  return total;
}
