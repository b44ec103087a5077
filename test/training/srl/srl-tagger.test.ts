import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxGraph, ONNX_MODEL_FILE } from '../../../src/runtimes/onnx/session.js';
import { tf } from '../../../src/runtimes/tfjs/backend.js';
import { readSrlTaggerFile } from '../../../src/tasks/srl-tagger-file.js';
import { roleSet } from '../../../src/training/srl/instances.js';
import { DEFAULT_SRL_HYPERPARAMETERS } from '../../../src/training/srl/model.js';
import { compareSrlRuntimes, writeSrlTaggerArtifacts } from '../../../src/training/srl/register.js';
import {
  predictRoles,
  scoreExamples,
  trainSrlTagger,
  type TrainedSrlTagger,
} from '../../../src/training/srl/train.js';
import { synthesizeSrlSentences } from '../../helpers/srl-fixture.js';

const HYPERPARAMETERS = {
  ...DEFAULT_SRL_HYPERPARAMETERS,
  embeddingDim: 16,
  predicateEmbeddingDim: 8,
  units: 16,
  layers: 2,
  epochs: 12,
  patience: 12,
  learningRate: 0.01,
  batchSize: 16,
  minCount: 1,
};

const train = synthesizeSrlSentences(160, 1).flat();
const validation = synthesizeSrlSentences(30, 2).flat();
const roles = roleSet(train);
let trained: TrainedSrlTagger;
let dir: string;

beforeAll(async () => {
  trained = await trainSrlTagger({ train, validation, roles, hyperparameters: HYPERPARAMETERS });
  dir = await mkdtemp(join(tmpdir(), 'maas-srl-test-'));
  await writeSrlTaggerArtifacts(trained, HYPERPARAMETERS, validation, dir);
}, 240_000);

afterAll(async () => {
  trained?.model.dispose();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('role tagger', () => {
  it('learns the roles of synthetic sentences', () => {
    expect(trained.validation.overall.f1).toBeGreaterThan(0.9);
    expect(trained.history.length).toBeGreaterThan(0);
  });

  it('labels each predicate of a sentence by its indicator', () => {
    const tokens = ['Emma', 'hoped', 'to', 'wash', 'the', 'car'];
    const [forHoped, forWash] = predictRoles(
      trained.model,
      trained.vocabulary,
      roles,
      [
        { tokens, predicateIndex: 1, labels: tokens.map(() => 'O') },
        { tokens, predicateIndex: 3, labels: tokens.map(() => 'O') },
      ],
      HYPERPARAMETERS.maxLength,
    );

    expect(forHoped).toEqual(['ARG0', 'V', 'O', 'ARG1', 'O', 'O']);
    expect(forWash).toEqual(['ARG0', 'O', 'O', 'V', 'O', 'ARG1']);
  });

  it('scores an example alone as in a padded batch', () => {
    const short = validation.find((example) => example.tokens.length === 5)!;
    const long = validation.find((example) => example.tokens.length === 6)!;
    const width = roles.length;
    const [alone] = scoreExamples(trained.model, trained.vocabulary, [short], 200, width);
    const [padded] = scoreExamples(trained.model, trained.vocabulary, [short, long], 200, width);

    expect(padded).toHaveLength(5 * width);
    alone!.forEach((value, index) => {
      expect(Math.abs(value - (padded![index] as number))).toBeLessThan(1e-5);
    });
  });
});

describe('role tagger ONNX export', () => {
  it('declares the predicate indicator input', async () => {
    const bytes = await readFile(join(dir, ONNX_MODEL_FILE));
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    const inputs = model.graph?.input?.map((input) => input.name);

    expect(inputs).toEqual(['input_ids', 'attention_mask', 'predicate_indicator']);
    expect(model.graph?.output?.map((output) => output.name)).toEqual(['scores']);
  });

  it('matches tfjs on padded batches within 1e-4', async () => {
    const examples = [...validation.slice(0, 20), ...train.slice(0, 20)];
    const parity = await compareSrlRuntimes(trained, dir, examples, HYPERPARAMETERS.maxLength);

    expect(parity.rows_checked).toBe(40);
    expect(parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
  });

  it('changes the scores when the indicator moves', async () => {
    const graph = await loadOnnxGraph(dir);
    try {
      const ids = new Int32Array([2, 3, 4, 5, 6, 7]);
      const run = (predicate: number): Promise<Float32Array> =>
        graph.run({
          ids,
          attentionMask: new Int32Array(6).fill(1),
          predicateIndicator: new Int32Array(6).map((_, index) => (index === predicate ? 1 : 0)),
          batchSize: 1,
          sequenceLength: 6,
        });
      const [first, second] = await Promise.all([run(1), run(3)]);
      const largest = first.reduce(
        (max, value, index) => Math.max(max, Math.abs(value - (second[index] as number))),
        0,
      );

      expect(largest).toBeGreaterThan(0.1);
    } finally {
      graph.dispose();
    }
  });

  it('rejects a batch without the indicator', async () => {
    const graph = await loadOnnxGraph(dir);
    try {
      await expect(
        graph.run({
          ids: new Int32Array([2, 3]),
          attentionMask: new Int32Array([1, 1]),
          batchSize: 1,
          sequenceLength: 2,
        }),
      ).rejects.toThrow(/predicate_indicator/);
    } finally {
      graph.dispose();
    }
  });

  it('writes tagger.json with what serving reads', async () => {
    const file = await readSrlTaggerFile(dir);

    expect(file.roles).toEqual(roles);
    expect(file.no_role).toBe('O');
    expect(file.predicate_role).toBe('V');
    expect(file.max_length).toBe(HYPERPARAMETERS.maxLength);
    expect(file.vocabulary.slice(0, 2)).toEqual(['[PAD]', '[UNK]']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
