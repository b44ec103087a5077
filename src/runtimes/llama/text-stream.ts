/** U+FFFD, which a UTF-8 decoder writes for bytes of a character that is not complete yet. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** Result of {@link TextStream.update} for the decoded text so far. */
export interface TextStreamUpdate {
  /** Text that is final and was not returned before; empty when nothing is. */
  delta: string;
  /** Whether the text reached a stop sequence; the stop sequence itself is never returned. */
  stopped: boolean;
}

/**
 * Turns the decoded text of a growing token list into deltas that never change afterwards.
 * It holds back a trailing U+FFFD, because the next byte token may complete that
 * character, and a tail that may be the start of a stop sequence. Joining every delta and
 * {@link TextStream.finish} gives {@link TextStream.text}.
 */
export class TextStream {
  readonly #stops: readonly string[];
  #text = '';
  #emitted = 0;
  #stopped = false;

  /** @param stops Stop sequences; empty strings are ignored. */
  constructor(stops: readonly string[] = []) {
    this.#stops = stops.filter((stop) => stop !== '');
  }

  /** Final text: the decoded text cut before the first stop sequence. */
  get text(): string {
    return this.#text;
  }

  /**
   * Takes the text of all tokens generated so far, decoded as one byte string, and returns
   * the new final part.
   */
  update(decoded: string): TextStreamUpdate {
    if (this.#stopped) return { delta: '', stopped: true };
    this.#text = decoded;
    const stop = this.#firstStop(decoded);
    if (stop !== -1) {
      this.#text = decoded.slice(0, stop);
      this.#stopped = true;
      return { delta: this.#take(this.#text.length), stopped: true };
    }
    let end = decoded.length;
    while (end > this.#emitted && decoded[end - 1] === REPLACEMENT_CHARACTER) end -= 1;
    end -= this.#partialStopLength(decoded, end);
    return { delta: this.#take(end), stopped: false };
  }

  /**
   * Returns the text still held back, at the end of generation. A character whose bytes
   * were cut off by the token limit decodes to trailing U+FFFD; it is dropped, so the text
   * holds only whole characters.
   */
  finish(): string {
    let end = this.#text.length;
    while (end > this.#emitted && this.#text[end - 1] === REPLACEMENT_CHARACTER) end -= 1;
    this.#text = this.#text.slice(0, end);
    return this.#take(end);
  }

  #take(end: number): string {
    if (end <= this.#emitted) return '';
    const delta = this.#text.slice(this.#emitted, end);
    this.#emitted = end;
    return delta;
  }

  /** Index of the earliest stop sequence in `text`, or -1. */
  #firstStop(text: string): number {
    let first = -1;
    for (const stop of this.#stops) {
      // A stop sequence that ends before the emitted text would have been found earlier.
      const from = Math.max(0, this.#emitted - stop.length + 1);
      const index = text.indexOf(stop, from);
      if (index !== -1 && (first === -1 || index < first)) first = index;
    }
    return first;
  }

  /**
   * Returns the length of the longest tail of `text.slice(0, end)` that is a proper prefix of
   * a stop sequence.
   */
  #partialStopLength(text: string, end: number): number {
    let longest = 0;
    for (const stop of this.#stops) {
      const maxLength = Math.min(stop.length - 1, end - this.#emitted);
      for (let length = maxLength; length > longest; length -= 1) {
        if (text.endsWith(stop.slice(0, length), end)) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
