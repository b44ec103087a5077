import { MaasError } from '../../errors/index.js';
import { labelsOf, type ModelConfig } from './model-folder.js';
import { HF_TASKS, isHfTask, type HfTask } from './types.js';

const NLI_LABELS = ['entailment', 'neutral', 'contradiction'];

/** Reports whether `architecture` (a `config.json` class name) can serve `task`. */
export function architectureServes(architecture: string, task: HfTask): boolean {
  switch (task) {
    case 'text-classification':
    case 'zero-shot-classification':
      return architecture.endsWith('ForSequenceClassification');
    case 'token-classification':
      return architecture.endsWith('ForTokenClassification');
    case 'fill-mask':
      return architecture.endsWith('ForMaskedLM');
    case 'feature-extraction':
      // A bare encoder such as BertModel; a class with a head (`...For...`) has no hidden states.
      return architecture.endsWith('Model') && !architecture.includes('For');
  }
}

/** Reports whether every label is an NLI label and entailment is among them. */
function hasNliLabels(config: ModelConfig): boolean {
  const labels = labelsOf(config).map((label) => label.toLowerCase());
  return labels.includes('entailment') && labels.every((label) => NLI_LABELS.includes(label));
}

function inferFromArchitecture(architecture: string, config: ModelConfig): HfTask | undefined {
  if (architecture.endsWith('ForSequenceClassification')) {
    return hasNliLabels(config) ? 'zero-shot-classification' : 'text-classification';
  }
  const candidates: HfTask[] = ['token-classification', 'fill-mask', 'feature-extraction'];
  return candidates.find((task) => architectureServes(architecture, task));
}

/**
 * Picks the task of a model folder: `requested` if given and the architecture serves it,
 * else the task that `config.json` `architectures` implies. A sequence classifier whose
 * labels are entailment, neutral and contradiction is taken as zero-shot-classification.
 *
 * @throws MaasError `MAAS_ERR_TASK_UNSUPPORTED` for an unknown task, an architecture that
 *   cannot serve the task, or a folder whose task cannot be inferred.
 */
export function resolveTask(
  config: ModelConfig,
  requested: string | undefined,
  dir: string,
): HfTask {
  if (requested !== undefined && !isHfTask(requested)) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `task "${requested}" is not supported for Hugging Face model folders: use one of ${HF_TASKS.join(', ')}`,
      { param: 'task' },
    );
  }

  const architecture = Array.isArray(config.architectures) ? config.architectures[0] : undefined;
  if (architecture === undefined) {
    if (requested !== undefined) return requested;
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `${dir}/config.json has no architectures, so the task cannot be inferred: pass the task, one of ${HF_TASKS.join(', ')}`,
    );
  }

  if (requested !== undefined) {
    if (architectureServes(architecture, requested)) return requested;
    const inferred = inferFromArchitecture(architecture, config);
    const hint = inferred === undefined ? '' : `: load it as ${inferred}`;
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `the model in ${dir} is a ${architecture}, which cannot serve ${requested}${hint}`,
      { param: 'task' },
    );
  }

  const inferred = inferFromArchitecture(architecture, config);
  if (inferred === undefined) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `the model in ${dir} is a ${architecture}, which serves none of ${HF_TASKS.join(', ')}`,
    );
  }
  return inferred;
}
