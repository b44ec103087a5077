import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseConllText } from '../../src/training/datasets/conll.js';
import { DATASETS_DIR, describeBundledTagger } from './bundled-tagger.js';

const validFile = join(DATASETS_DIR, 'conll2003', 'valid.txt');

describeBundledTagger({
  name: 'ner-en',
  types: ['PER', 'LOC', 'ORG', 'MISC'],
  unit: 'word',
  minTestF1: 0.8,
  heldOutFile: validFile,
  heldOutSentences: () => parseConllText(readFileSync(validFile, 'utf8'), { tagColumn: 3 }).sentences,
  example: {
    text: 'Angela Merkel met officials of the European Union in Paris on Monday.',
    entities: ['PER Angela Merkel', 'LOC Paris'],
  },
  checkFiles: (card, tagger) => {
    // valid.txt is held out whole, so nothing of train.txt is.
    expect(card.training.source).toContain('CoNLL-2003');
    expect(card.training.dataset.file).toBe('train.txt');
    expect(card.training.test_data?.file).toBe('valid.txt');
    expect(card.training.test_data?.sentences).toBe(3250);
    expect(card.training.split.test_fraction).toBe(0);
    expect(card.training.split.validation_fraction).toBe(0.1);
    // The character features of training are those of serving.
    const hyperparameters = card.training.hyperparameters;
    expect(tagger.word_features).toEqual({
      ngram_min: hyperparameters.ngramMin,
      ngram_max: hyperparameters.ngramMax,
      buckets: hyperparameters.ngramBuckets,
      max_ngrams: hyperparameters.maxNgrams,
    });
  },
});
