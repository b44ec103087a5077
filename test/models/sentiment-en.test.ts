import { describeBundledClassifier } from './bundled-classifier.js';

describeBundledClassifier({
  name: 'sentiment-en',
  labels: ['negative', 'positive'],
  source: 'SST-2',
  minTestAccuracy: 0.82,
  trainFile: 'sst2/train.tsv',
  testFile: 'sst2/dev.tsv',
  examples: [
    ['a warm , funny and beautifully acted film', 'positive'],
    ['a dull , lifeless and badly written mess', 'negative'],
  ],
});
