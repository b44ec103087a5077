import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { MaasError } from '../errors/index.js';
import type { LabeledText } from './classification/train.js';
import { readLabeledSplits, type LabeledFileOptions } from './labeled-file.js';
import { NearDuplicateIndex } from './near-duplicates.js';

/** Contribution of one extra training file, as recorded in the model card. */
export interface ExtraFileSummary {
  file: string;
  sha256: string;
  rows: number;
  /** Rows dropped because their text copies, or nearly copies, a row of the main file. */
  duplicates_dropped: number;
  rows_used: number;
}

/**
 * Reads extra training files. Their rows join the training part only, never validation or
 * test, and a row whose text copies or nearly copies any row of the main file (see
 * {@link NearDuplicateIndex}) is dropped, so that no held-out text reaches training through
 * another corpus.
 */
export async function readExtraTrainFiles(
  files: readonly string[],
  mainRows: readonly LabeledText[],
  labels: readonly string[],
  options: LabeledFileOptions,
): Promise<{ rows: LabeledText[]; summaries: ExtraFileSummary[] }> {
  const seen = new NearDuplicateIndex(mainRows.map((row) => row.text));
  const rows: LabeledText[] = [];
  const summaries: ExtraFileSummary[] = [];

  for (const file of files) {
    const extra = await readLabeledSplits(file, { ...options, testFraction: 0 }, 0);
    const unknown = extra.labels.filter((label) => !labels.includes(label));
    if (unknown.length > 0) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `extra training file ${file} has label(s) ${unknown.join(', ')} that the main file lacks (its labels: ${labels.join(', ')})`,
        { param: 'extra_train_file' },
      );
    }
    const unique = extra.rest.filter((row) => !seen.has(row.text));
    rows.push(...unique);
    summaries.push({
      file: basename(file),
      sha256: createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
      rows: extra.rest.length,
      duplicates_dropped: extra.rest.length - unique.length,
      rows_used: unique.length,
    });
  }
  return { rows, summaries };
}
