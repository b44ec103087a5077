import type { TokenClassificationPipeline } from '../../tasks/token-classification.js';
import type { TaggedSentence } from '../tagging/train.js';
import { computeSpanReport, type SpanOptions, type SpanReport } from './span-report.js';

/** Sentences scored in one batch. */
const SENTENCES_PER_BATCH = 64;

/**
 * Tags the gold tokens of `sentences` with a serving pipeline, so through the same feature
 * extraction, ONNX graph and decoding as the server, and scores the spans as `conlleval` does.
 * The tokens are taken as they are, not split again from text.
 */
export async function evaluateTaggerPipeline(
  pipeline: TokenClassificationPipeline,
  sentences: readonly TaggedSentence[],
  options: SpanOptions = {},
): Promise<SpanReport> {
  const predicted: string[][] = [];
  for (let first = 0; first < sentences.length; first += SENTENCES_PER_BATCH) {
    const encodings = sentences
      .slice(first, first + SENTENCES_PER_BATCH)
      .map((sentence) =>
        pipeline.encodeTokens(
          sentence.tokens.map((text) => ({ text, start: 0, end: text.length })),
        ),
      );
    const windows = encodings.flatMap((encoding) => encoding.windows);
    const scores = windows.length === 0 ? [] : await pipeline.score(windows);
    let next = 0;
    for (const encoding of encodings) {
      const own = scores.slice(next, next + encoding.windows.length);
      next += encoding.windows.length;
      predicted.push(pipeline.decodeTags(encoding, own));
    }
  }
  return computeSpanReport(
    sentences.map((sentence) => sentence.tags),
    predicted,
    options,
  );
}
