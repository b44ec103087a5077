import { MaasError } from '../errors/index.js';
import type { LabeledText } from './classification/train.js';
import {
  readClassificationFile,
  stratifiedSplit,
  type ClassificationReadOptions,
  type DatasetStatistics,
} from './datasets/index.js';

export interface LabeledFileOptions extends ClassificationReadOptions {
  /** Renames labels of the file, e.g. `{ "0": "negative", "1": "positive" }`. */
  labelNames?: Record<string, string>;
  /** Fraction of rows held out as the test part; 0 holds out nothing. */
  testFraction?: number;
}

export interface LabeledSplits {
  /** Label names after renaming, sorted; a label's index is its model output. */
  labels: string[];
  /** Rows for training and validation. */
  rest: LabeledText[];
  /** Held-out rows, empty when `testFraction` is 0. */
  test: LabeledText[];
  statistics: DatasetStatistics;
}

/**
 * Reads a labeled file, renames its labels and holds out the test part. The split depends
 * only on the file, `testFraction` and `seed`, so `maas eval` can rebuild the same test part.
 */
export async function readLabeledSplits(
  file: string,
  options: LabeledFileOptions,
  seed: number,
): Promise<LabeledSplits> {
  const dataset = await readClassificationFile(file, options);
  const rename = options.labelNames;
  if (rename !== undefined) {
    const unnamed = dataset.labels.filter((label) => rename[label] === undefined);
    if (unnamed.length > 0) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `label names given for ${Object.keys(rename).join(', ')} but the file also has label(s) ${unnamed.join(', ')}; name every label, e.g. --label-names 0=negative,1=positive`,
        { param: 'label_names' },
      );
    }
  }
  const examples = dataset.examples.map((example) => ({
    text: example.text,
    label: rename?.[example.label] ?? example.label,
  }));
  const labels = [...new Set(examples.map((example) => example.label))].sort();
  const testFraction = options.testFraction ?? 0;
  if (testFraction === 0) {
    return { labels, rest: examples, test: [], statistics: dataset.stats };
  }
  const { train, validation } = stratifiedSplit(examples, {
    validationFraction: testFraction,
    seed,
  });
  return { labels, rest: train, test: validation, statistics: dataset.stats };
}

/** Parses `0=negative,1=positive` into a label renaming. */
export function parseLabelNames(text: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [from, to, extra] = pair.split('=').map((part) => part.trim());
    if (from === undefined || from === '' || to === undefined || to === '' || extra !== undefined) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `invalid label name "${pair}" in "${text}": expected from=to pairs separated by commas, e.g. 0=negative,1=positive`,
        { param: 'label_names' },
      );
    }
    names[from] = to;
  }
  return names;
}
