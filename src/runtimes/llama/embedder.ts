import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { Logger } from 'pino';
import { getLlamaEngine } from './engine.js';
import type { LlamaModelOptions } from './generator.js';

/**
 * A GGUF model loaded through node-llama-cpp for `feature-extraction`: one vector per text,
 * pooled by llama.cpp as the model's metadata sets it.
 */
export class LlamaEmbedder {
  readonly contextSize: number;
  readonly #model: LlamaModel;
  readonly #context: LlamaEmbeddingContext;

  private constructor(model: LlamaModel, context: LlamaEmbeddingContext, contextSize: number) {
    this.#model = model;
    this.#context = context;
    this.contextSize = contextSize;
  }

  /** Loads the GGUF file at `path` and creates its embedding context. */
  static async load(
    path: string,
    options: Pick<LlamaModelOptions, 'contextSize' | 'threads'>,
    logger?: Logger,
  ): Promise<LlamaEmbedder> {
    const llama = await getLlamaEngine(logger);
    const model = await llama.loadModel({ modelPath: path });
    try {
      const context = await model.createEmbeddingContext({
        contextSize: options.contextSize,
        ...(options.threads === 0 ? {} : { threads: options.threads }),
      });
      return new LlamaEmbedder(model, context, options.contextSize);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** Tokenizes `text` as the embedding context does, to count and check its length. */
  tokenize(text: string): number[] {
    return this.#model.tokenize(text, false);
  }

  /** Returns the embedding vector of each text, in order. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      const embedding = await this.#context.getEmbeddingFor(text);
      vectors.push(Float32Array.from(embedding.vector));
    }
    return vectors;
  }

  async dispose(): Promise<void> {
    await this.#context.dispose();
    await this.#model.dispose();
  }
}
