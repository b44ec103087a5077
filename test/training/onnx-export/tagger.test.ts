import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LoadedGraph } from '../../../src/runtimes/index.js';
import { loadOnnxGraph } from '../../../src/runtimes/onnx/session.js';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import { exportTaggerToOnnx } from '../../../src/training/onnx-export/tagger.js';
import {
  DEFAULT_TAGGER_HYPERPARAMETERS,
  TAGGER_ARCHITECTURES,
  buildTagger,
} from '../../../src/training/tagging/model.js';

const TAGS = 5;
const VOCABULARY = 50;
/** Rows of very different lengths, one of them empty, padded at the end with id 0. */
const ROWS = [[3, 7, 9], [], [4], Array.from({ length: 40 }, (_, i) => 2 + (i % 45)), [1, 1]];

function padded(rows: readonly number[][]): { ids: Int32Array; steps: number } {
  const steps = Math.max(2, ...rows.map((row) => row.length));
  const ids = new Int32Array(rows.length * steps);
  rows.forEach((row, index) => ids.set(row, index * steps));
  return { ids, steps };
}

describe.each(TAGGER_ARCHITECTURES)('ONNX export of %s tagger', (architecture) => {
  let model: tf.LayersModel;
  let graph: LoadedGraph;
  let dir: string;

  beforeAll(async () => {
    await useWasmBackend();
    model = buildTagger(
      { ...DEFAULT_TAGGER_HYPERPARAMETERS, architecture, embeddingDim: 8, units: 6, seed: 3 },
      VOCABULARY,
      TAGS,
    );
    // Random weights away from zero, so that a wrong gate order or transpose shows.
    model.setWeights(
      model
        .getWeights()
        .map((weight, index) => tf.randomUniform(weight.shape, -0.5, 0.5, 'float32', index + 1)),
    );
    dir = mkdtempSync(join(tmpdir(), `maas-onnx-tagger-`));
    writeFileSync(join(dir, 'model.onnx'), exportTaggerToOnnx(model));
    graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  });

  afterAll(() => {
    graph?.dispose();
    model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function onnxScores(rows: readonly number[][]): Promise<Float32Array> {
    const { ids, steps } = padded(rows);
    return graph.run({
      ids,
      attentionMask: ids.map((id) => (id === 0 ? 0 : 1)),
      batchSize: rows.length,
      sequenceLength: steps,
    });
  }

  it('matches tfjs on every real token of a padded batch', async () => {
    const { ids, steps } = padded(ROWS);
    const expected = tf.tidy(() =>
      (model.predict(tf.tensor2d(ids, [ROWS.length, steps], 'int32')) as tf.Tensor).dataSync(),
    );

    const actual = await onnxScores(ROWS);

    expect(actual.length).toBe(ROWS.length * steps * TAGS);
    let compared = 0;
    ROWS.forEach((row, index) => {
      for (let step = 0; step < row.length; step++) {
        for (let tag = 0; tag < TAGS; tag++) {
          const at = (index * steps + step) * TAGS + tag;
          expect(Math.abs((actual[at] as number) - (expected[at] as number))).toBeLessThan(1e-4);
          compared++;
        }
      }
    });
    expect(compared).toBe(46 * TAGS);
  });

  it('gives each row alone what it gets in the batch', async () => {
    const { steps } = padded(ROWS);
    const together = await onnxScores(ROWS);

    for (const [index, row] of ROWS.entries()) {
      if (row.length === 0) continue;
      const alone = await onnxScores([row]);
      const start = index * steps * TAGS;
      const inBatch = together.subarray(start, start + row.length * TAGS);
      alone.subarray(0, row.length * TAGS).forEach((value, position) => {
        expect(Math.abs(value - (inBatch[position] as number))).toBeLessThan(1e-5);
      });
    }
  });
});
