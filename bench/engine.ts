import * as ort from 'onnxruntime-node';
import { percentile } from './stats.js';

/** Tokenizes texts into the feeds of one `session.run`, padded to the longest. */
export type FeedBuilder = (texts: readonly string[]) => Promise<Record<string, ort.Tensor>>;

export interface EngineResult {
  batchSize: number;
  inputsPerSecond: number;
  runs: number;
}

export interface EngineLimit {
  results: EngineResult[];
  best: EngineResult;
  /** Median time of one `session.run` on one input, in milliseconds. */
  singleRunP50Ms: number;
  /** Texts the tokenizer encodes per second on one thread, one at a time, for comparison. */
  tokenizerInputsPerSecond: number;
}

/**
 * Calls `session.run` directly on pre-tokenized batches, with the thread settings the server
 * uses, for `secondsPerSize` at each batch size. The texts are sorted by length before they
 * are cut into batches, so little goes into padding, and tokenization is outside the timing:
 * this is the most the engine can do.
 */
export async function measureEngine(
  modelFile: string,
  feedsFor: FeedBuilder,
  texts: readonly string[],
  options: { batchSizes: number[]; secondsPerSize: number; intraOpThreads: number },
): Promise<EngineLimit> {
  const session = await ort.InferenceSession.create(modelFile, {
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const sorted = [...texts].sort((a, b) => a.length - b.length);
  const results: EngineResult[] = [];
  for (const batchSize of options.batchSizes) {
    const feeds = (
      await Promise.all(
        Array.from({ length: Math.ceil(texts.length / batchSize) }, (_, i) =>
          feedsFor(sorted.slice(i * batchSize, (i + 1) * batchSize)),
        ),
      )
    ).filter((feed) => Number(feed['input_ids']?.dims[0]) === batchSize);
    await session.run(feeds[0] as Record<string, ort.Tensor>);
    let inputs = 0;
    let runs = 0;
    const started = performance.now();
    while (performance.now() - started < options.secondsPerSize * 1000) {
      await session.run(feeds[runs % feeds.length] as Record<string, ort.Tensor>);
      inputs += batchSize;
      runs++;
    }
    const seconds = (performance.now() - started) / 1000;
    results.push({ batchSize, inputsPerSecond: inputs / seconds, runs });
  }

  const singles = await Promise.all(texts.slice(0, 200).map((text) => feedsFor([text])));
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const feed of singles) {
      const started = performance.now();
      await session.run(feed);
      times.push(performance.now() - started);
    }
  }
  await session.release();
  let encoded = 0;
  const tokenizeStarted = performance.now();
  while (performance.now() - tokenizeStarted < 1000) {
    await feedsFor([texts[encoded % texts.length] as string]);
    encoded++;
  }
  const tokenizerInputsPerSecond = encoded / ((performance.now() - tokenizeStarted) / 1000);
  const best = results.reduce((a, b) => (b.inputsPerSecond > a.inputsPerSecond ? b : a));
  return { results, best, singleRunP50Ms: percentile(times, 0.5), tokenizerInputsPerSecond };
}
