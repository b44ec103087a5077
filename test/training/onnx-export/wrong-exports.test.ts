// Deliberately wrong exports of textcnn and transformer must fail the parity check of
// classifier.test.ts: each mutation below keeps a graph that runs but computes something else.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxGraph } from '../../../src/runtimes/onnx/session.js';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import {
  trainTextClassifier,
  type TrainedClassifier,
} from '../../../src/training/classification/train.js';
import { exportClassifierToOnnx } from '../../../src/training/onnx-export/classifier.js';
import { REVIEW_LABELS, syntheticReviews, tinyHyperparameters } from '../synthetic-reviews.js';

const { onnx } = onnxProto;
type ModelProto = InstanceType<typeof onnx.ModelProto>;
type TensorProto = onnxProto.onnx.ITensorProto;

/** The padded batch of mixed lengths of classifier.test.ts, with an empty row. */
const TEXTS = [
  '房间很好',
  '',
  '服务很差，房间很脏，早餐难吃，前台冷漠，位置糟糕，价格失望，环境吵闹，床讨厌',
  '好',
  '😋👍🏽 great 房间 ok',
  '前台热情'.repeat(40),
];

let root: string;

beforeAll(async () => {
  await useWasmBackend();
  root = mkdtempSync(join(tmpdir(), 'maas-wrong-export-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function train(architecture: 'textcnn' | 'transformer'): Promise<TrainedClassifier> {
  return trainTextClassifier({
    train: syntheticReviews(96, 1),
    validation: syntheticReviews(32, 2),
    labels: REVIEW_LABELS,
    hyperparameters: tinyHyperparameters({ architecture, maxLength: 48, epochs: 3 }),
  });
}

/** Largest difference between tfjs and ONNX Runtime on TEXTS for the graph `bytes`. */
async function maxDifference(trained: TrainedClassifier, bytes: Uint8Array): Promise<number> {
  const dir = mkdtempSync(join(root, 'model-'));
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  try {
    const batch = trained.tokenizer.encodeBatch(TEXTS);
    const expected = tf.tidy(() => {
      const ids = tf.tensor2d(batch.ids, [batch.batchSize, batch.sequenceLength], 'int32');
      return (trained.model.predict(ids) as tf.Tensor).dataSync();
    });
    const actual = await graph.run(batch);
    return Math.max(...actual.map((value, index) => Math.abs(value - (expected[index] as number))));
  } finally {
    graph.dispose();
  }
}

/** Exports `trained`, lets `mutate` change the decoded model, and encodes it again. */
function mutatedExport(
  trained: TrainedClassifier,
  mutate: (model: ModelProto) => void,
): Uint8Array {
  const model = onnx.ModelProto.decode(exportClassifierToOnnx(trained.model));
  mutate(model);
  return onnx.ModelProto.encode(model).finish();
}

function initializer(model: ModelProto, prefix: string): TensorProto {
  const found = model.graph?.initializer?.filter((tensor) => tensor.name?.startsWith(prefix));
  if (found === undefined || found.length === 0) throw new Error(`no initializer ${prefix}`);
  return found[0] as TensorProto;
}

function floatsOf(tensor: TensorProto): Float32Array {
  const bytes = Uint8Array.from(tensor.rawData as Uint8Array);
  return new Float32Array(bytes.buffer);
}

function setFloats(tensor: TensorProto, values: Float32Array): void {
  tensor.rawData = new Uint8Array(values.buffer.slice(0));
}

function setInt64s(tensor: TensorProto, values: number[]): void {
  tensor.rawData = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
}

/** Sets every value of each initializer whose name starts with `prefix` to `value`. */
function fill(model: ModelProto, prefix: string, value: number): void {
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.name?.startsWith(prefix)) setFloats(tensor, floatsOf(tensor).fill(value));
  }
}

describe('wrong textcnn export', () => {
  let trained: TrainedClassifier;

  beforeAll(async () => {
    trained = await train('textcnn');
  }, 60_000);

  afterAll(() => trained?.model.dispose());

  it('the correct export passes', async () => {
    expect(await maxDifference(trained, exportClassifierToOnnx(trained.model))).toBeLessThan(1e-4);
  });

  it('swapped convolution padding fails', async () => {
    const bytes = mutatedExport(trained, (model) => {
      for (const node of model.graph?.node ?? []) {
        const pads = node.attribute?.find((attribute) => attribute.name === 'pads');
        if (node.opType === 'Conv' && pads !== undefined) {
          pads.ints = [...(pads.ints as number[])].map(Number).reverse();
        }
      }
    });
    expect(await maxDifference(trained, bytes)).toBeGreaterThan(1e-4);
  });

  it('a kernel read in the wrong time order fails', async () => {
    const bytes = mutatedExport(trained, (model) => {
      const kernel = initializer(model, 'conv_3.kernel');
      const [filters, width, size] = (kernel.dims as number[]).map(Number) as [
        number,
        number,
        number,
      ];
      const values = floatsOf(kernel);
      const reversed = new Float32Array(values.length);
      for (let row = 0; row < filters * width; row++) {
        for (let step = 0; step < size; step++) {
          reversed[row * size + step] = values[row * size + size - 1 - step] as number;
        }
      }
      setFloats(kernel, reversed);
    });
    expect(await maxDifference(trained, bytes)).toBeGreaterThan(1e-4);
  });

  it('a max that ignores the mask fails', async () => {
    const bytes = mutatedExport(trained, (model) => fill(model, 'max_penalty', 0));
    expect(await maxDifference(trained, bytes)).toBeGreaterThan(1e-4);
  });
});

describe('wrong transformer export', () => {
  let trained: TrainedClassifier;

  beforeAll(async () => {
    trained = await train('transformer');
  }, 60_000);

  afterAll(() => trained?.model.dispose());

  it('the correct export passes', async () => {
    expect(await maxDifference(trained, exportClassifierToOnnx(trained.model))).toBeLessThan(1e-4);
  });

  it('heads split in the wrong order fails', async () => {
    const { attentionHeads, embeddingDim } = tinyHyperparameters({ architecture: 'transformer' });
    expect(attentionHeads).not.toBe(embeddingDim / attentionHeads);
    const bytes = mutatedExport(trained, (model) => {
      for (const tensor of model.graph?.initializer ?? []) {
        if (tensor.name?.startsWith('heads_shape')) {
          setInt64s(tensor, [0, 0, embeddingDim / attentionHeads, attentionHeads]);
        }
      }
    });
    expect(await maxDifference(trained, bytes)).toBeGreaterThan(1e-4);
  });

  it('attention to padded keys fails', async () => {
    const bytes = mutatedExport(trained, (model) => fill(model, 'score_penalty', 0));
    expect(await maxDifference(trained, bytes)).toBeGreaterThan(1e-4);
  });

  it('positions in reverse order fail', async () => {
    const bytes = mutatedExport(trained, (model) => {
      const table = initializer(model, 'position_embedding.embeddings');
      const [positions, width] = (table.dims as number[]).map(Number) as [number, number];
      const values = floatsOf(table);
      const reversed = new Float32Array(values.length);
      for (let position = 0; position < positions; position++) {
        reversed.set(
          values.subarray((positions - 1 - position) * width, (positions - position) * width),
          position * width,
        );
      }
      setFloats(table, reversed);
    });
    expect(await maxDifference(trained, bytes)).toBeGreaterThan(1e-4);
  });
});
