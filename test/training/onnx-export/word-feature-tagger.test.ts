import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LoadedGraph } from '../../../src/runtimes/index.js';
import { loadOnnxGraph } from '../../../src/runtimes/onnx/session.js';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import { Vocabulary } from '../../../src/text/index.js';
import { exportTaggerToOnnx } from '../../../src/training/onnx-export/tagger.js';
import {
  DEFAULT_TAGGER_HYPERPARAMETERS,
  TAGGER_ARCHITECTURES,
  buildTagger,
} from '../../../src/training/tagging/model.js';
import {
  encodeWordFeatures,
  featureWidth,
  wordFeatureConfig,
  type WordFeatureConfig,
} from '../../../src/training/tagging/word-features.js';

const TAGS = 5;
const VOCABULARY = Vocabulary.fromTokens(['[PAD]', '[UNK]', 'the', 'eu', 'rejects', 'german']);
/** Sentences of very different lengths, with unseen words, an emoji and a long word. */
const SENTENCES = [
  ['EU', 'rejects', 'German', 'call'],
  ['😀'],
  Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 'the' : `Word${i}`)),
  ['Antidisestablishmentarianism', 'and', 'McDonald', "'s", '1996-08-22', '.'],
  ['a'],
];

describe.each(TAGGER_ARCHITECTURES)('ONNX export of %s word-feature tagger', (architecture) => {
  const hyperparameters = {
    ...DEFAULT_TAGGER_HYPERPARAMETERS,
    architecture,
    unit: 'word' as const,
    embeddingDim: 8,
    units: 6,
    ngramBuckets: 97,
    maxNgrams: 12,
    ngramEmbeddingDim: 5,
    shapeEmbeddingDim: 3,
    seed: 3,
  };
  const features = wordFeatureConfig(hyperparameters) as WordFeatureConfig;
  const width = featureWidth(features);
  let model: tf.LayersModel;
  let graph: LoadedGraph;
  let dir: string;

  beforeAll(async () => {
    await useWasmBackend();
    model = buildTagger(hyperparameters, VOCABULARY.size, TAGS);
    // Random weights away from zero, so that a wrong column, axis or mean shows.
    model.setWeights(
      model
        .getWeights()
        .map((weight, index) => tf.randomUniform(weight.shape, -0.5, 0.5, 'float32', index + 1)),
    );
    dir = mkdtempSync(join(tmpdir(), 'maas-onnx-word-tagger-'));
    writeFileSync(join(dir, 'model.onnx'), exportTaggerToOnnx(model));
    graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  });

  afterAll(() => {
    graph?.dispose();
    model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  function padded(sentences: readonly string[][]): {
    ids: Int32Array;
    attentionMask: Int32Array;
    steps: number;
  } {
    const steps = Math.max(2, ...sentences.map((sentence) => sentence.length));
    const ids = new Int32Array(sentences.length * steps * width);
    const attentionMask = new Int32Array(sentences.length * steps);
    sentences.forEach((sentence, row) => {
      ids.set(encodeWordFeatures(sentence, VOCABULARY, features), row * steps * width);
      attentionMask.fill(1, row * steps, row * steps + sentence.length);
    });
    return { ids, attentionMask, steps };
  }

  async function onnxScores(sentences: readonly string[][]): Promise<Float32Array> {
    const { ids, attentionMask, steps } = padded(sentences);
    return graph.run({
      ids,
      attentionMask,
      batchSize: sentences.length,
      sequenceLength: steps,
      featureWidth: width,
    });
  }

  it('takes feature rows as input_ids', () => {
    expect(model.inputs[0]?.shape).toEqual([null, null, width]);
  });

  it('matches tfjs on every real token of a padded batch', async () => {
    const { ids, steps } = padded(SENTENCES);
    const expected = tf.tidy(() =>
      (
        model.predict(tf.tensor3d(ids, [SENTENCES.length, steps, width], 'int32')) as tf.Tensor
      ).dataSync(),
    );

    const actual = await onnxScores(SENTENCES);

    expect(actual.length).toBe(SENTENCES.length * steps * TAGS);
    let compared = 0;
    SENTENCES.forEach((sentence, row) => {
      for (let step = 0; step < sentence.length; step++) {
        for (let tag = 0; tag < TAGS; tag++) {
          const at = (row * steps + step) * TAGS + tag;
          expect(Math.abs((actual[at] as number) - (expected[at] as number))).toBeLessThan(1e-4);
          compared++;
        }
      }
    });
    expect(compared).toBe(42 * TAGS);
  });

  it('gives each sentence alone what it gets in the batch', async () => {
    const { steps } = padded(SENTENCES);
    const together = await onnxScores(SENTENCES);

    for (const [row, sentence] of SENTENCES.entries()) {
      const alone = await onnxScores([sentence]);
      const start = row * steps * TAGS;
      const inBatch = together.subarray(start, start + sentence.length * TAGS);
      alone.subarray(0, sentence.length * TAGS).forEach((value, position) => {
        expect(Math.abs(value - (inBatch[position] as number))).toBeLessThan(1e-5);
      });
    }
  });
});
