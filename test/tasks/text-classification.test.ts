import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LoadedGraph } from '../../src/runtimes/index.js';
import { saveLayersModel } from '../../src/runtimes/tfjs/artifacts.js';
import { loadTfjsGraph } from '../../src/runtimes/tfjs/graph.js';
import { useWasmBackend } from '../../src/runtimes/tfjs/backend.js';
import {
  TextClassificationPipeline,
  TOKENIZER_FILE,
  readTokenizer,
  type LabelScore,
} from '../../src/tasks/text-classification.js';
import { DEFAULT_NORMALIZE_OPTIONS, Tokenizer } from '../../src/text/index.js';
import { resolveHyperparameters } from '../../src/training/classification/hyperparameters.js';
import { buildLstmClassifier } from '../../src/training/classification/model.js';
import { catchMaasError, catchMaasErrorAsync } from '../training/datasets/helpers.js';

const LABELS = ['negative', 'neutral', 'positive'];
const TEXTS = ['房间很干净，服务也很好', '很差', '早餐一般，位置方便，价格便宜，前台热情'];

let folder: string;
let tokenizer: Tokenizer;
let graph: LoadedGraph;
let pipeline: TextClassificationPipeline;

beforeAll(async () => {
  await useWasmBackend();
  folder = await mkdtemp(join(tmpdir(), 'maas-task-'));
  tokenizer = Tokenizer.train(
    TEXTS,
    { normalize: DEFAULT_NORMALIZE_OPTIONS, segmentation: 'word', maxLength: 16 },
    { minCount: 1, maxSize: 100 },
  );
  const hyperparameters = resolveHyperparameters({ embeddingDim: 8, units: 8, seed: 5 });
  const model = buildLstmClassifier(hyperparameters, tokenizer.vocabulary.size, LABELS.length);
  await saveLayersModel(model, folder);
  model.dispose();
  await writeFile(join(folder, TOKENIZER_FILE), JSON.stringify(tokenizer));
  graph = await loadTfjsGraph(folder);
  pipeline = new TextClassificationPipeline(tokenizer, graph, LABELS);
});

afterAll(async () => {
  pipeline?.dispose();
  await rm(folder, { recursive: true, force: true });
});

function isSortedDescending(scores: readonly LabelScore[]): boolean {
  return scores.every((entry, i) => i === 0 || (scores[i - 1] as LabelScore).score >= entry.score);
}

describe('TextClassificationPipeline.predict', () => {
  let all: LabelScore[][];

  beforeAll(async () => {
    all = await pipeline.predict(TEXTS, { topK: null });
  });

  it('returns one list per input', () => {
    expect(all).toHaveLength(TEXTS.length);
  });

  it('returns every label for topK null', () => {
    for (const scores of all) {
      expect(scores.map((entry) => entry.label).sort()).toEqual([...LABELS].sort());
    }
  });

  it('sorts scores highest first', () => {
    for (const scores of all) {
      expect(isSortedDescending(scores)).toBe(true);
    }
  });

  it('returns probabilities that sum to 1', () => {
    for (const scores of all) {
      const total = scores.reduce((sum, entry) => sum + entry.score, 0);
      expect(total).toBeCloseTo(1, 5);
    }
  });

  it('returns the graph scores of each row', async () => {
    const batch = tokenizer.encodeBatch(TEXTS);
    const raw = await graph.run(batch);
    TEXTS.forEach((_, row) => {
      const byLabel = Object.fromEntries(
        all[row]?.map((entry) => [entry.label, entry.score]) ?? [],
      );
      const expected = LABELS.map((_label, index) => raw[row * LABELS.length + index]);
      expect(LABELS.map((label) => byLabel[label])).toEqual(expected);
    });
  });

  it('returns the best label for topK 1', async () => {
    const top = await pipeline.predict(TEXTS, { topK: 1 });
    expect(top).toEqual(all.map((scores) => scores.slice(0, 1)));
  });

  it('returns the two best labels for topK 2', async () => {
    const top = await pipeline.predict(TEXTS, { topK: 2 });
    expect(top).toEqual(all.map((scores) => scores.slice(0, 2)));
  });

  it('defaults to topK 1', async () => {
    const top = await pipeline.predict(TEXTS);
    expect(top.map((scores) => scores.length)).toEqual([1, 1, 1]);
  });

  it('caps topK at the label count', async () => {
    const top = await pipeline.predict(TEXTS, { topK: 10 });
    expect(top).toEqual(all);
  });

  it('scores each text as it scores alone', async () => {
    // The batch pads the shorter texts, and the mask must keep their scores unchanged.
    for (const [row, text] of TEXTS.entries()) {
      const [alone] = await pipeline.predict([text], { topK: null });
      for (const [index, entry] of (alone ?? []).entries()) {
        const batched = all[row]?.[index] as LabelScore;
        expect(batched.label).toBe(entry.label);
        expect(Math.abs(batched.score - entry.score)).toBeLessThan(1e-5);
      }
    }
  });
});

describe('TextClassificationPipeline', () => {
  it('rejects a label count mismatch', () => {
    const error = catchMaasError(
      () => new TextClassificationPipeline(tokenizer, graph, ['negative', 'positive']),
    );
    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect(error.message).toBe('the model has 3 outputs but the model card lists 2 labels');
  });

  it('counts tokens after truncation', () => {
    const twentyWords = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    expect(pipeline.countTokens(['good room', '', twentyWords])).toEqual([2, 0, 16]);
  });
});

describe('readTokenizer', () => {
  it('reads the tokenizer of a folder', async () => {
    const read = await readTokenizer(folder);
    expect(read.vocabulary.tokens()).toEqual(tokenizer.vocabulary.tokens());
    expect(read.encode(TEXTS[0] as string).ids).toEqual(tokenizer.encode(TEXTS[0] as string).ids);
  });

  it('rejects a folder without tokenizer.json', async () => {
    const error = await catchMaasErrorAsync(() => readTokenizer(join(folder, 'missing')));
    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect(error.message).toContain('tokenizer.json');
  });
});
