/**
 * Pacer of the text pieces of one streamed generation. A piece that arrives at least
 * `intervalMs` after the last write is written at once, and pieces that arrive sooner are
 * joined and written when the interval has passed.
 *
 * So a slow model streams every token as it comes, and a fast one writes at most one chunk
 * per interval, which saves a chunk's JSON, socket write and client parsing per joined token.
 * An interval of 0 writes every piece at once.
 */
export class TextPacer {
  readonly #intervalMs: number;
  readonly #write: (text: string) => void;
  #pending = '';
  #lastWrite = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, write: (text: string) => void) {
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  /** Takes the next piece of text. */
  push(text: string): void {
    if (text === '') return;
    this.#pending += text;
    if (this.#timer !== undefined) return;
    const wait = this.#lastWrite + this.#intervalMs - performance.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.#timer = setTimeout(() => this.flush(), wait);
  }

  /** Writes the joined pending text now, if there is any. */
  flush(): void {
    this.#cancelTimer();
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#lastWrite = performance.now();
    this.#write(text);
  }

  /** Drops the pending text, for a stream that ends without it. */
  discard(): void {
    this.#cancelTimer();
    this.#pending = '';
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
