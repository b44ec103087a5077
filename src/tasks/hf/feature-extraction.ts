import { l2Normalize } from './math.js';
import { vectorAt, type ModelRunner } from './model-runner.js';
import {
  assertStringInputs,
  readBoolean,
  readChoice,
  rejectUnknownParameters,
  type RawParameters,
} from './parameters.js';
import type { FeatureVector, HuggingFaceTaskModel } from './types.js';

const PARAMETERS = ['pooling', 'normalize'] as const;

export const POOLING_METHODS = ['mean', 'cls', 'none'] as const;

/** Output names that carry per-token hidden states, in the order they are tried. */
const HIDDEN_STATE_OUTPUTS = ['last_hidden_state', 'token_embeddings'] as const;

function meanOf(vectors: readonly number[][]): number[] {
  const width = vectors[0]?.length ?? 0;
  const sums = new Array<number>(width).fill(0);
  for (const vector of vectors) {
    vector.forEach((value, i) => {
      sums[i] = (sums[i] as number) + value;
    });
  }
  return sums.map((sum) => sum / vectors.length);
}

/**
 * Creates the `feature-extraction` task from the hidden states of the last layer.
 * `pooling` defaults to `mean`, the mean over the tokens the attention mask keeps (special
 * tokens included, as sentence-transformers computes it). `cls` takes the first token, and
 * `none` returns one vector per token. `normalize` (default false) divides each vector by its
 * L2 norm.
 */
export function createFeatureExtraction(
  runner: ModelRunner,
): HuggingFaceTaskModel<'feature-extraction'> {
  async function predict(
    inputs: readonly string[],
    parameters: RawParameters = {},
  ): Promise<FeatureVector[]> {
    assertStringInputs(inputs);
    rejectUnknownParameters('feature-extraction', parameters, PARAMETERS);
    const pooling = readChoice(parameters, 'pooling', POOLING_METHODS, 'mean');
    const normalize = readBoolean(parameters, 'normalize', false);
    if (inputs.length === 0) return [];

    const batch = runner.encode(inputs);
    const output = await runner.forward(batch, HIDDEN_STATE_OUTPUTS);
    return batch.rows.map((row, rowIndex) => {
      const tokens = row.positions.map((position) => vectorAt(output, rowIndex, position));
      const finish = (vector: number[]) => (normalize ? l2Normalize(vector) : vector);
      if (pooling === 'none') return tokens.map(finish);
      if (pooling === 'cls') return finish(tokens[0] ?? []);
      return finish(meanOf(tokens));
    });
  }

  return {
    task: 'feature-extraction',
    labels: undefined,
    predict,
    countTokens: (inputs) => runner.countTokens(inputs),
    dispose: () => runner.dispose(),
  };
}
