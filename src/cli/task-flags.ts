import type { Command } from 'commander';

import { MaasError } from '../errors/index.js';

/**
 * Flags of `maas train` that only one task reads, by commander attribute name. Flags that
 * several tasks read, such as `--epochs`, are in no list.
 */
const TASK_ONLY_FLAGS: Readonly<Record<string, readonly string[]>> = {
  'text-classification': [
    'format',
    'textColumn',
    'labelColumn',
    'header',
    'labelNames',
    'extraTrainFile',
    'testFile',
    'embeddingDtype',
    'kernelSizes',
    'encoderLayers',
    'attentionHeads',
    'inputDropout',
    'wordNgrams',
    'charNgrams',
    'segmentation',
    'lowercase',
    'classWeights',
  ],
  'token-classification': [
    'unit',
    'characterFeatures',
    'ngramMin',
    'ngramMax',
    'ngramBuckets',
    'maxNgrams',
    'ngramEmbeddingDim',
    'shapeEmbeddingDim',
    'tokenColumn',
    'tagColumn',
    'repairTags',
  ],
  'semantic-role-labeling': ['senseColumn', 'predicateEmbeddingDim', 'lstmLayers'],
};

/**
 * Rejects the flags on the command line that only another task reads, so that a setting the
 * user typed is not ignored silently.
 *
 * @throws MaasError MAAS_ERR_REQUEST_INVALID naming the flags and the task.
 */
export function rejectFlagsOfOtherTasks(command: Command, task: string): void {
  const typed = Object.entries(TASK_ONLY_FLAGS)
    .filter(([owner]) => owner !== task)
    .flatMap(([, names]) => names)
    .filter((name) => command.getOptionValueSource(name) === 'cli');
  if (typed.length === 0) return;
  const flags = typed.map(
    (name) => command.options.find((option) => option.attributeName() === name)?.long ?? name,
  );
  throw new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `${flags.join(', ')} ${flags.length === 1 ? 'does' : 'do'} not apply to --task ${task}; leave ${flags.length === 1 ? 'it' : 'them'} out`,
    { param: 'task' },
  );
}
