import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * Explains why the evaluated rows may include rows the model trained on: the file is the
 * training file (same SHA-256) and the held-out fraction differs from the model card's.
 */
export async function describeTrainingOverlap(
  modelCard: Record<string, unknown>,
  file: string,
  testFraction: number,
): Promise<string | undefined> {
  const training = modelCard['training'] as
    { dataset?: { sha256?: string }; split?: { test_fraction?: number } } | undefined;
  const digest = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  if (training?.dataset?.sha256 !== digest) {
    return undefined;
  }
  const trainedFraction = training.split?.test_fraction ?? 0;
  if (trainedFraction === 0) {
    return 'the model was trained on this file without a held-out part, so these rows include training rows';
  }
  if (trainedFraction !== testFraction) {
    return `the model held out --test-split ${trainedFraction} of this file; with --test-split ${testFraction} the rows include training rows`;
  }
  return undefined;
}
