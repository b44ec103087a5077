import type { LlamaModel, Token } from 'node-llama-cpp';

/** Number of earlier tokens passed to the detokenizer as context, so a piece keeps its space. */
const DETOKENIZE_CONTEXT_TOKENS = 4;

/**
 * Decodes a growing token list in time proportional to the new tokens, not to the whole
 * list. Tokens are decoded again from the last point where their text ended with a whole
 * character, so the bytes of a character that arrive in several tokens decode together. The
 * tokens before that point go to the detokenizer as context, so that a piece keeps the leading
 * space it has in the whole text. A test checks the result against decoding the whole list
 * for the SentencePiece vocabulary of the GGUF fixture.
 */
export class IncrementalDecoder {
  readonly #model: LlamaModel;
  readonly #promptTail: Token[];
  #stableText = '';
  #stableCount = 0;

  constructor(model: LlamaModel, promptTokens: readonly Token[]) {
    this.#model = model;
    this.#promptTail = promptTokens.slice(-DETOKENIZE_CONTEXT_TOKENS);
  }

  /** Returns the text of `tokens`, which must extend the list of the previous call. */
  decode(tokens: readonly Token[]): string {
    const context =
      this.#stableCount === 0
        ? this.#promptTail
        : tokens.slice(
            Math.max(0, this.#stableCount - DETOKENIZE_CONTEXT_TOKENS),
            this.#stableCount,
          );
    const tail = this.#model.detokenize(tokens.slice(this.#stableCount), false, context);
    const text = this.#stableText + tail;
    if (!tail.endsWith('\uFFFD')) {
      this.#stableText = text;
      this.#stableCount = tokens.length;
    }
    return text;
  }
}
