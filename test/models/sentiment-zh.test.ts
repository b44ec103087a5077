import { describeBundledClassifier } from './bundled-classifier.js';

describeBundledClassifier({
  name: 'sentiment-zh',
  labels: ['negative', 'positive'],
  source: 'ChnSentiCorp',
  minTestAccuracy: 0.88,
  trainFile: 'chnsenticorp/train.csv',
  examples: [
    ['房间很干净，服务也很好', 'positive'],
    ['房间很脏，服务太差了，再也不来了', 'negative'],
  ],
});
