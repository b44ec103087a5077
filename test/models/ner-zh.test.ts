import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseConllText } from '../../src/training/datasets/conll.js';
import { splitSentences } from '../../src/training/tagging/split.js';
import { DATASETS_DIR, describeBundledTagger } from './bundled-tagger.js';

const trainFile = join(DATASETS_DIR, 'msra_ner', 'train.txt');

describeBundledTagger({
  name: 'ner-zh',
  types: ['PER', 'LOC', 'ORG'],
  unit: 'character',
  minTestF1: 0.8,
  heldOutFile: trainFile,
  // The test part of the seeded split of train.txt, which training never read.
  heldOutSentences: (card) =>
    splitSentences(parseConllText(readFileSync(trainFile, 'utf8'), { repairTags: true }).sentences, {
      testFraction: card.training.split.test_fraction,
      validationFraction: card.training.split.validation_fraction,
      seed: card.training.split.seed,
    }).test,
  example: {
    text: '😀 李明昨天在北京参观了清华大学。',
    entities: ['PER 李明', 'LOC 北京', 'ORG 清华大学'],
  },
  checkFiles: (card) => {
    expect(card.training.source).toContain('MSRA');
    expect(card.training.dataset.file).toBe('train.txt');
    expect(card.training.split.test_fraction).toBe(0.05);
    expect(card.training.split.seed).toBe(42);
  },
});
