import {
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { Logger } from 'pino';
import { MaasError } from '../../errors/index.js';
import { getLlamaEngine } from './engine.js';
import { IncrementalDecoder } from './incremental-decoder.js';
import { TextStream } from './text-stream.js';

/** Per-model options of a loaded GGUF generative model. */
export interface LlamaModelOptions {
  /** Tokens each sequence holds: prompt plus generated text. */
  contextSize: number;
  /** Sequences of one context that generate at the same time. */
  parallelSequences: number;
  /** CPU threads llama.cpp uses for this model; 0 lets node-llama-cpp choose. */
  threads: number;
}

/** Roles of chat messages, as the OpenAI chat API names them. */
export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Reason a generation ended, as OpenAI's `finish_reason` values. */
export type FinishReason = 'stop' | 'length';

/** One generation: a tokenized prompt and its sampling options. */
export interface GenerationRequest {
  promptTokens: readonly number[];
  /** Maximum number of tokens to generate; the caller keeps it within the context. */
  maxTokens: number;
  /** 0 picks the most likely token at each step (greedy decoding). */
  temperature: number;
  /** Nucleus sampling threshold; 1 turns it off. */
  topP: number;
  /** Number of most likely tokens sampled from; 0 turns it off. */
  topK: number;
  /** Sampling seed; without one each generation differs. */
  seed?: number;
  /** Texts that end the generation; they are not part of the output. */
  stop: readonly string[];
  /** Aborting it stops the generation at the next token and frees its sequence. */
  signal?: AbortSignal;
  /** Receives each new piece of text, only ever whole characters. */
  onText?: (text: string) => void;
  /**
   * Called with the number of tokens generated when `signal` stops the generation, so that
   * they can still be metered: the caller's promise has already been rejected by then.
   */
  onCancelled?: (completionTokens: number) => void;
}

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

/**
 * A GGUF generative model loaded through node-llama-cpp, with one context of
 * {@link LlamaModelOptions.parallelSequences} sequences. Each {@link generate} call takes a
 * free sequence, and llama.cpp evaluates the running sequences together in one batch per
 * step. The caller must run at most that many generations at once.
 */
export class LlamaTextGenerator {
  readonly contextSize: number;
  readonly parallelSequences: number;
  /** `Date.now()` when a sequence last produced a token; 0 before the first. */
  lastTokenAt = 0;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #chatWrapper: ChatWrapper;
  readonly #free: LlamaContextSequence[];

  private constructor(model: LlamaModel, context: LlamaContext, sequences: number) {
    this.#model = model;
    this.#context = context;
    this.contextSize = context.contextSize;
    this.parallelSequences = sequences;
    // Uses the chat template of the GGUF metadata, or a known format that matches it.
    this.#chatWrapper = resolveChatWrapper(model);
    this.#free = Array.from({ length: sequences }, () => context.getSequence());
  }

  /** Loads the GGUF file at `path` and creates its context. */
  static async load(
    path: string,
    options: LlamaModelOptions,
    logger?: Logger,
  ): Promise<LlamaTextGenerator> {
    const llama = await getLlamaEngine(logger);
    const model = await llama.loadModel({ modelPath: path });
    try {
      const context = await model.createContext({
        contextSize: options.contextSize,
        sequences: options.parallelSequences,
        ...(options.threads === 0 ? {} : { threads: options.threads }),
        // Sequences never shift their context: a generation stops at the context's end.
        failedCreationRemedy: false,
      });
      return new LlamaTextGenerator(model, context, options.parallelSequences);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** Name of the chat format in use, e.g. `JinjaTemplate` for the GGUF's own template. */
  get chatFormat(): string {
    return this.#chatWrapper.wrapperName;
  }

  /** Tokenizes plain text as a prompt, with the model's start token if it takes one. */
  tokenizePrompt(text: string): number[] {
    return this.#withStartToken(this.#model.tokenize(text, false));
  }

  /** Renders `messages` with the model's chat format and tokenizes the result. */
  tokenizeChat(messages: readonly ChatMessage[]): number[] {
    const chatHistory: ChatHistoryItem[] = messages.map((message) => {
      switch (message.role) {
        case 'system':
          return { type: 'system', text: message.content };
        case 'user':
          return { type: 'user', text: message.content };
        case 'assistant':
          return { type: 'model', response: [message.content] };
      }
    });
    // An empty model turn at the end makes the template add the assistant's prompt.
    chatHistory.push({ type: 'model', response: [] });
    const { contextText } = this.#chatWrapper.generateContextState({ chatHistory });
    return this.#withStartToken(contextText.tokenize(this.#model.tokenizer));
  }

  /**
   * Generates text for one request on a free sequence, and frees the sequence when it ends.
   *
   * @throws MaasError `MAAS_ERR_REQUEST_CANCELLED` when `signal` aborts.
   */
  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const sequence = this.#free.pop();
    if (sequence === undefined) {
      throw new MaasError(
        'MAAS_ERR_INTERNAL_ERROR',
        `all ${this.parallelSequences} sequences are in use; the scheduler must run at most that many generations`,
      );
    }
    try {
      await sequence.clearHistory();
      return await this.#run(sequence, request);
    } finally {
      this.#free.push(sequence);
    }
  }

  async #run(
    sequence: LlamaContextSequence,
    request: GenerationRequest,
  ): Promise<GenerationResult> {
    const stream = new TextStream(request.stop);
    const generated: Token[] = [];
    const decoder = new IncrementalDecoder(this.#model, request.promptTokens as Token[]);
    let finishReason: FinishReason = 'stop';
    const emit = (text: string): void => {
      if (text !== '') request.onText?.(text);
    };

    if (request.maxTokens > 0) {
      finishReason = 'length';
      const tokens = sequence.evaluate(request.promptTokens as Token[], {
        temperature: request.temperature,
        topP: request.topP,
        topK: request.topK,
        ...(request.seed === undefined ? {} : { seed: request.seed }),
      });
      let ended = true;
      for await (const token of tokens) {
        if (request.signal?.aborted === true) {
          request.onCancelled?.(generated.length);
          throw new MaasError('MAAS_ERR_REQUEST_CANCELLED', 'the generation was cancelled', {
            cause: request.signal.reason,
          });
        }
        generated.push(token);
        this.lastTokenAt = Date.now();
        const update = stream.update(decoder.decode(generated));
        emit(update.delta);
        if (update.stopped || generated.length >= request.maxTokens) {
          ended = update.stopped;
          break;
        }
      }
      // The tokens ran out without a stop sequence or the limit: the model wrote an
      // end-of-generation token.
      if (ended) finishReason = 'stop';
    }
    emit(stream.finish());
    return {
      text: stream.text,
      finishReason,
      promptTokens: request.promptTokens.length,
      completionTokens: generated.length,
    };
  }

  #withStartToken(tokens: number[]): number[] {
    const start = this.#model.tokens.bos;
    if (start === null || !this.#model.tokens.shouldPrependBosToken || tokens[0] === start) {
      return tokens;
    }
    return [start, ...tokens];
  }

  async dispose(): Promise<void> {
    await this.#context.dispose();
    await this.#model.dispose();
  }
}
