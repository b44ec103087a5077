import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadOnnxGraph } from '../../../src/runtimes/onnx/session.js';
import { readTaggerFile } from '../../../src/tasks/tagger-file.js';
import { TokenClassificationPipeline } from '../../../src/tasks/token-classification.js';
import { evaluateTaggerPipeline } from '../../../src/training/evaluation/tagger-pipeline.js';
import { writeTaggerArtifacts } from '../../../src/training/tagging/artifacts.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS } from '../../../src/training/tagging/model.js';
import { trainTagger, type TrainedTagger } from '../../../src/training/tagging/train.js';
import {
  ENGLISH_NER_TAGS,
  synthesizeEnglishNerSentences,
} from '../../helpers/english-ner-fixture.js';

const HYPERPARAMETERS = {
  ...DEFAULT_TAGGER_HYPERPARAMETERS,
  unit: 'word' as const,
  embeddingDim: 16,
  units: 16,
  ngramBuckets: 2000,
  ngramEmbeddingDim: 16,
  epochs: 12,
  patience: 12,
  learningRate: 0.02,
  batchSize: 16,
  minCount: 2,
};

describe('word tagger with character features', () => {
  const heldOut = synthesizeEnglishNerSentences(80, 7);
  let trained: TrainedTagger;
  let dir: string;
  let pipeline: TokenClassificationPipeline;

  beforeAll(async () => {
    trained = await trainTagger({
      train: synthesizeEnglishNerSentences(300, 5),
      validation: heldOut,
      tags: ENGLISH_NER_TAGS,
      hyperparameters: HYPERPARAMETERS,
    });
    dir = mkdtempSync(join(tmpdir(), 'maas-word-tagger-'));
    await writeTaggerArtifacts(trained, HYPERPARAMETERS, ENGLISH_NER_TAGS, heldOut, dir);
    const graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
    pipeline = new TokenClassificationPipeline(await readTaggerFile(dir), graph);
  }, 180_000);

  afterAll(() => {
    pipeline?.dispose();
    trained?.model.dispose();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('tags entities of unseen names', () => {
    expect(trained.features).not.toBeNull();
    expect(trained.validation.overall.f1).toBeGreaterThan(0.8);
  });

  it('writes the features into tagger.json', () => {
    const file = JSON.parse(readFileSync(join(dir, 'tagger.json'), 'utf8'));

    expect(file.unit).toBe('word');
    expect(file.word_features).toEqual({
      ngram_min: HYPERPARAMETERS.ngramMin,
      ngram_max: HYPERPARAMETERS.ngramMax,
      buckets: HYPERPARAMETERS.ngramBuckets,
      max_ngrams: HYPERPARAMETERS.maxNgrams,
    });
    // Word keys are lower-cased, because the shape embedding carries the casing.
    expect(file.vocabulary).toContain('visited');
    expect(file.vocabulary).not.toContain('Monday');
  });

  it('serves the validation F1 of training', async () => {
    const report = await evaluateTaggerPipeline(pipeline, heldOut);

    expect(report.overall.f1).toBeCloseTo(trained.validation.overall.f1, 6);
  });

  it('returns entity groups with offsets', async () => {
    const text = 'Karo Vintel visited  Brineburg on Monday.';
    const encoding = pipeline.encode(text);
    const scores = await pipeline.score(encoding.windows);

    const entities = pipeline.entities(text, encoding, scores, {}) as {
      entity_group: string;
      word: string;
      start: number;
      end: number;
    }[];

    expect(entities.map((entity) => entity.entity_group)).toEqual(['PER', 'LOC']);
    expect(entities[0]?.start).toBe(0);
    expect(entities[0]?.end).toBe(11);
    expect(text.slice(entities[1]?.start, entities[1]?.end)).toBe('Brineburg');
    expect(entities[1]?.word).toBe('Brineburg');
  });

  it('tags text with emoji and no tokens', async () => {
    const empty = pipeline.encode('  ');
    expect(empty.windows).toHaveLength(0);

    const text = '😀 Stone Raka said the deal with Tovmi Bank was signed 👍';
    const encoding = pipeline.encode(text);
    const scores = await pipeline.score(encoding.windows);
    const entities = pipeline.entities(text, encoding, scores, {}) as {
      entity_group: string;
      word: string;
      start: number;
      end: number;
    }[];

    // The fixture has no emoji, so whether the model tags one is left open.
    const found = entities.map((entity) => `${entity.entity_group} ${entity.word}`);
    expect(found).toContain('PER Stone Raka');
    expect(found).toContain('ORG Tovmi Bank');
    for (const entity of entities) {
      expect(text.slice(entity.start, entity.end)).toBe(entity.word);
    }
  });
});
