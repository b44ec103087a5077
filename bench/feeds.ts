import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import type { Tokenizer } from '../src/text/index.js';
import type { FeedBuilder } from './engine.js';

const int64 = (values: ArrayLike<number>, dims: number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(values), BigInt), dims);

/** Feeds of a model trained here: its own tokenizer, `input_ids` and `attention_mask`. */
export function inHouseFeeds(tokenizer: Tokenizer): FeedBuilder {
  return async (texts) => {
    const batch = tokenizer.encodeBatch(texts);
    const dims = [batch.batchSize, batch.sequenceLength];
    return { input_ids: int64(batch.ids, dims), attention_mask: int64(batch.attentionMask, dims) };
  };
}

/** Feeds of a Hugging Face folder, tokenized by transformers.js as its pipelines do. */
export async function huggingFaceFeeds(folder: string): Promise<FeedBuilder> {
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  return async (texts) => {
    const encoded = tokenizer([...texts], { padding: true, truncation: true }) as Record<
      string,
      { data: BigInt64Array; dims: number[] }
    >;
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of ['input_ids', 'attention_mask', 'token_type_ids']) {
      const tensor = encoded[name];
      if (tensor !== undefined) feeds[name] = new ort.Tensor('int64', tensor.data, tensor.dims);
    }
    return feeds;
  };
}
