import { MaasError } from '../../errors/index.js';
import { softmax, sigmoid } from './math.js';
import type { ModelConfig } from './model-folder.js';
import { rowAt, type ModelOutput, type ModelRunner } from './model-runner.js';
import {
  assertStringInputs,
  readChoice,
  readTopK,
  rejectUnknownParameters,
  type RawParameters,
} from './parameters.js';
import type { HuggingFaceTaskModel, LabelScore } from './types.js';

const PARAMETERS = ['top_k', 'function_to_apply'] as const;

const SCORE_FUNCTIONS = ['softmax', 'sigmoid', 'none'] as const;

type ScoreFunction = (typeof SCORE_FUNCTIONS)[number];

/** The function Python transformers picks from the config: sigmoid for multi-label heads. */
export function defaultScoreFunction(config: ModelConfig, labelCount: number): ScoreFunction {
  if (config.problem_type === 'multi_label_classification' || labelCount === 1) return 'sigmoid';
  return 'softmax';
}

function applyScoreFunction(logits: number[], scoreFunction: ScoreFunction): number[] {
  if (scoreFunction === 'softmax') return softmax(logits);
  if (scoreFunction === 'sigmoid') return logits.map(sigmoid);
  return logits;
}

/** Checks that a `[batch, labels]` output has one column per label. */
export function assertLabelColumns(output: ModelOutput, labels: readonly string[]): void {
  if (output.dims.length !== 2 || output.dims[1] !== labels.length) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `the model returned logits of shape [${output.dims.join(', ')}] but config.json lists ${labels.length} labels`,
    );
  }
}

/**
 * Creates the `text-classification` task: logits of each input → softmax (or sigmoid) →
 * labels sorted by score, `top_k` of them (default 1, `null` for all).
 */
export function createTextClassification(
  runner: ModelRunner,
  config: ModelConfig,
  labels: readonly string[],
): HuggingFaceTaskModel<'text-classification'> {
  const fallbackFunction = defaultScoreFunction(config, labels.length);

  async function predict(
    inputs: readonly string[],
    parameters: RawParameters = {},
  ): Promise<LabelScore[][]> {
    assertStringInputs(inputs);
    rejectUnknownParameters('text-classification', parameters, PARAMETERS);
    const topK = readTopK(parameters, 'top_k', 1, true);
    const scoreFunction = readChoice(
      parameters,
      'function_to_apply',
      SCORE_FUNCTIONS,
      fallbackFunction,
    );
    if (inputs.length === 0) return [];

    const batch = runner.encode(inputs);
    const output = await runner.forward(batch, ['logits']);
    assertLabelColumns(output, labels);

    const count = topK === null ? labels.length : Math.min(topK, labels.length);
    return inputs.map((_, row) => {
      const scores = applyScoreFunction(rowAt(output, row), scoreFunction);
      const ranked = labels.map((label, id) => ({ label, score: scores[id] as number }));
      ranked.sort((a, b) => b.score - a.score);
      return ranked.slice(0, count);
    });
  }

  return {
    task: 'text-classification',
    labels,
    predict,
    countTokens: (inputs) => runner.countTokens(inputs),
    dispose: () => runner.dispose(),
  };
}
