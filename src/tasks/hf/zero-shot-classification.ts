import { MaasError } from '../../errors/index.js';
import { softmax } from './math.js';
import type { ModelConfig } from './model-folder.js';
import { rowAt, type ModelRunner } from './model-runner.js';
import {
  assertStringInputs,
  readBoolean,
  readString,
  readStringList,
  rejectUnknownParameters,
  type RawParameters,
} from './parameters.js';
import type { HuggingFaceTaskModel, ZeroShotResult } from './types.js';

const PARAMETERS = ['candidate_labels', 'hypothesis_template', 'multi_label'] as const;

export const DEFAULT_HYPOTHESIS_TEMPLATE = 'This example is {}.';

/** Ids of the NLI labels that zero-shot classification reads from the logits. */
export interface NliLabelIds {
  entailment: number;
  contradiction: number;
}

/**
 * Finds the entailment and contradiction ids in `label2id` by names that start with
 * `entail` and `contra`, ignoring case. Without a contradiction label, the id is 0, or the
 * last id when entailment is 0, as Python transformers picks it.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` if no label starts with `entail`.
 */
export function findNliLabelIds(config: ModelConfig, labelCount: number): NliLabelIds {
  const entries = Object.entries(config.label2id ?? {});
  const idOf = (prefix: string) =>
    entries.find(([label]) => label.toLowerCase().startsWith(prefix))?.[1];
  const entailment = idOf('entail');
  if (entailment === undefined) {
    const names = entries.map(([label]) => label).join(', ') || 'none';
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `config.json label2id has no entailment label (labels: ${names}): zero-shot-classification needs an NLI model with labels such as entailment, neutral, contradiction`,
    );
  }
  const contradiction = idOf('contra') ?? (entailment === 0 ? labelCount - 1 : 0);
  return { entailment, contradiction };
}

/**
 * Creates the `zero-shot-classification` task. Each input is paired with the hypothesis of
 * every candidate label; all pairs run as one padded batch. Scores are the softmax of the
 * entailment logits over the labels, or, with `multi_label` (or a single label), the softmax
 * of entailment against contradiction for each label alone.
 */
export function createZeroShotClassification(
  runner: ModelRunner,
  config: ModelConfig,
  labelCount: number,
): HuggingFaceTaskModel<'zero-shot-classification'> {
  const ids = findNliLabelIds(config, labelCount);

  async function predict(
    inputs: readonly string[],
    parameters: RawParameters = {},
  ): Promise<ZeroShotResult[]> {
    assertStringInputs(inputs);
    rejectUnknownParameters('zero-shot-classification', parameters, PARAMETERS);
    const candidates = readStringList(parameters, 'candidate_labels', {
      splitString: true,
      nonEmpty: true,
    });
    const template = readString(parameters, 'hypothesis_template', DEFAULT_HYPOTHESIS_TEMPLATE);
    if (!template.includes('{}')) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.hypothesis_template ${JSON.stringify(template)} has no {} placeholder: send a template such as "${DEFAULT_HYPOTHESIS_TEMPLATE}"`,
        { param: 'parameters.hypothesis_template' },
      );
    }
    const multiLabel = readBoolean(parameters, 'multi_label', false) || candidates.length === 1;
    if (inputs.length === 0) return [];

    const hypotheses = candidates.map((label) => template.replaceAll('{}', label));
    const premises = inputs.flatMap((input) => hypotheses.map(() => input));
    const pairs = inputs.flatMap(() => hypotheses);
    const output = await runner.forward(runner.encode(premises, pairs), ['logits']);

    return inputs.map((sequence, inputIndex) => {
      const logits = candidates.map((_, j) => rowAt(output, inputIndex * candidates.length + j));
      const scores = multiLabel
        ? logits.map(
            (row) => softmax([row[ids.contradiction] ?? 0, row[ids.entailment] ?? 0])[1] as number,
          )
        : softmax(logits.map((row) => row[ids.entailment] ?? 0));
      const order = candidates
        .map((_, j) => j)
        .sort((a, b) => (scores[b] as number) - (scores[a] as number));
      return {
        sequence,
        labels: order.map((j) => candidates[j] as string),
        scores: order.map((j) => scores[j] as number),
      };
    });
  }

  return {
    task: 'zero-shot-classification',
    labels: undefined,
    predict,
    countTokens: (inputs) => runner.countTokens(inputs),
    dispose: () => runner.dispose(),
  };
}
