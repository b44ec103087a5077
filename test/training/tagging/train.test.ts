import { describe, expect, it } from 'vitest';

import {
  DEFAULT_TAGGER_HYPERPARAMETERS,
  type TaggerArchitecture,
} from '../../../src/training/tagging/model.js';
import { splitTokens } from '../../../src/training/tagging/token-splitter.js';
import {
  predictTags,
  trainTagger,
  type TaggerTrainingEvent,
} from '../../../src/training/tagging/train.js';
import { NER_TAGS, synthesizeNerSentences } from '../../helpers/ner-fixture.js';

const SMALL = {
  ...DEFAULT_TAGGER_HYPERPARAMETERS,
  embeddingDim: 32,
  units: 32,
  epochs: 6,
  patience: 6,
  learningRate: 0.01,
  batchSize: 16,
};

describe.each(['bilstm-crf', 'bilstm'] as TaggerArchitecture[])(
  'trainTagger %s',
  (architecture) => {
    it('learns entities of held-out sentences', async () => {
      const events: TaggerTrainingEvent[] = [];

      const trained = await trainTagger(
        {
          train: synthesizeNerSentences(240, 1),
          validation: synthesizeNerSentences(60, 2),
          tags: NER_TAGS,
          hyperparameters: { ...SMALL, architecture },
        },
        (event) => events.push(event),
      );

      expect(trained.validation.overall.f1).toBeGreaterThan(0.85);
      expect(trained.history.length).toBeGreaterThanOrEqual(1);
      expect(trained.crf === null).toBe(architecture === 'bilstm');
      expect(events[0]?.type).toBe('started');
      const tokens = splitTokens('张伟在成都工作', 'character').map((token) => token.text);
      const [tags] = predictTags(trained.model, trained.crf, trained.vocabulary, NER_TAGS, [
        { tokens, tags: tokens.map(() => 'O') },
      ]);
      expect(tags).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC', 'O', 'O']);
      trained.model.dispose();
    }, 120_000);
  },
);
