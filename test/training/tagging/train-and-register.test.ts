import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AppContext } from '../../../src/app/context.js';
import { MaasError } from '../../../src/errors/index.js';
import {
  assertTagsSeen,
  splitSentences,
  tagSet,
  trainAndRegisterTagger,
} from '../../../src/training/tagging/train-and-register.js';
import { synthesizeNerSentences } from '../../helpers/ner-fixture.js';
import { makeTempDir, openTestContext, removeTempDir } from '../../helpers/sentiment-fixture.js';

const SENTENCES = synthesizeNerSentences(200, 5);

describe('splitSentences', () => {
  it('splits by seed without overlap', () => {
    const first = splitSentences(SENTENCES, {
      testFraction: 0.1,
      validationFraction: 0.2,
      seed: 7,
    });
    const again = splitSentences(SENTENCES, {
      testFraction: 0.1,
      validationFraction: 0.2,
      seed: 7,
    });

    expect(first.test).toHaveLength(20);
    expect(first.validation).toHaveLength(36);
    expect(first.train).toHaveLength(144);
    expect(again.test).toEqual(first.test);
    const all = new Set([...first.train, ...first.validation, ...first.test]);
    expect(all.size).toBe(200);
  });

  it('rejects fractions out of range', () => {
    expect(() =>
      splitSentences(SENTENCES, { testFraction: 1, validationFraction: 0.2, seed: 1 }),
    ).toThrow(/test fraction/);
    expect(() =>
      splitSentences(SENTENCES, { testFraction: 0, validationFraction: 0, seed: 1 }),
    ).toThrow(/validation fraction/);
    expect(() =>
      splitSentences(SENTENCES.slice(0, 1), { testFraction: 0, validationFraction: 0.5, seed: 1 }),
    ).toThrow(/none for training/);
  });
});

describe('tagSet', () => {
  it('puts O first and groups by type', () => {
    expect(
      tagSet([
        { tokens: ['a', 'b', 'c', 'd'], tags: ['I-PER', 'B-LOC', 'O', 'B-PER'] },
        { tokens: ['e'], tags: ['I-LOC'] },
      ]),
    ).toEqual(['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER']);
  });
});

describe('assertTagsSeen', () => {
  it('names tags missing from training', () => {
    const error = (() => {
      try {
        assertTagsSeen(
          ['O', 'B-PER'],
          [{ tokens: ['x', 'y'], tags: ['B-MISC', 'O'] }],
          'validation',
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(MaasError);
    expect((error as MaasError).code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect((error as MaasError).message).toContain('"B-MISC"');
  });
});

describe('trainAndRegisterTagger', () => {
  let root: string;
  let context: AppContext;

  beforeAll(async () => {
    root = await makeTempDir('tagger-register');
    context = await openTestContext(root);
  });

  afterAll(async () => {
    await context?.close();
    if (root !== undefined) await removeTempDir(root);
  });

  it('registers a version with test and validation reports', async () => {
    const result = await trainAndRegisterTagger(context.registry, SENTENCES, {
      name: 'ner-small',
      alias: 'staging',
      testFraction: 0.1,
      validationFraction: 0.2,
      hyperparameters: {
        embeddingDim: 16,
        units: 16,
        epochs: 4,
        learningRate: 0.01,
        batchSize: 16,
      },
      training: { source: 'synthetic' },
    });

    expect(result.version.task).toBe('token-classification');
    expect(result.version.aliases).toContain('staging');
    expect(result.test?.sequences).toBe(20);
    expect(result.validation.sequences).toBe(36);
    const card = result.version.modelCard as { training: Record<string, unknown> };
    expect(card.training['source']).toBe('synthetic');
    expect(card.training['split']).toMatchObject({ train_sentences: 144, test_sentences: 20 });
  }, 120_000);
});
