/**
 * Writes the training, validation and test parts of ChnSentiCorp that `npm run
 * train:sentiment-zh` uses, and the extra review corpora, as JSON lines for study.py:
 * `{part, label, text, words, category?}`, with each text normalized and segmented as the
 * sentiment-zh tokenizer does.
 *
 * Usage: npx tsx scripts/zoo/sentiment-zh-study/split.ts OUT.jsonl (reads ../shared/datasets).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLabeledSplits } from '../../../src/training/labeled-file.js';
import { readClassificationFile, stratifiedSplit } from '../../../src/training/datasets/index.js';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeText } from '../../../src/text/index.js';
import { segment } from '../../../src/text/segment.js';

const out = process.argv[2];
if (out === undefined) {
  console.error('usage: split.ts OUT.jsonl');
  process.exit(2);
}
const datasets = join(import.meta.dirname, '../../../../shared/datasets');
const normalize = {
  ...DEFAULT_NORMALIZE_OPTIONS,
  lowercase: true,
  stripUrls: true,
  stripHtml: true,
};
const lines: string[] = [];
const emit = (part: string, rows: { text: string; label: string; category?: string }[]): void => {
  for (const row of rows) {
    const text = normalizeText(row.text, normalize);
    const label = row.label === 'positive' || row.label === '1' ? 1 : 0;
    lines.push(
      JSON.stringify({ part, label, text, words: segment(text, 'word'), category: row.category }),
    );
  }
};

// The same calls as maas train with --test-split 0.1 --validation-split 0.1 --seed 42.
const splits = await readLabeledSplits(
  join(datasets, 'chnsenticorp/train.csv'),
  { labelNames: { '0': 'negative', '1': 'positive' }, testFraction: 0.1 },
  42,
);
const { train, validation } = stratifiedSplit(splits.rest, { validationFraction: 0.1, seed: 43 });
emit('train', train);
emit('val', validation);
emit('test', splits.test);

const waimai = await readClassificationFile(join(datasets, 'waimai10k/waimai_10k.csv'), {});
emit('waimai', waimai.examples);
const shopping = await readClassificationFile(join(datasets, 'online_shopping_10_cats/train.csv'), {
  textColumn: 'review',
  labelColumn: 'label',
});
const categories = await readClassificationFile(
  join(datasets, 'online_shopping_10_cats/train.csv'),
  {
    textColumn: 'review',
    labelColumn: 'cat',
  },
);
emit(
  'shopping',
  shopping.examples.map((row, index) => ({
    ...row,
    category: categories.examples[index]?.label,
  })),
);
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(
  `${train.length} train, ${validation.length} validation, ${splits.test.length} test rows`,
);
