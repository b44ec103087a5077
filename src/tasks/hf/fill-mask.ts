import { MaasError } from '../../errors/index.js';
import { softmax } from './math.js';
import { vectorAt, type EncodedRow, type ModelRunner } from './model-runner.js';
import {
  assertStringInputs,
  readTopK,
  rejectUnknownParameters,
  type RawParameters,
} from './parameters.js';
import type { FillMaskPrediction, HuggingFaceTaskModel } from './types.js';

const PARAMETERS = ['top_k'] as const;

const DEFAULT_TOP_K = 5;

/**
 * Creates the `fill-mask` task. Each input must contain exactly one mask token. The logits at
 * its position go through softmax, and the `top_k` (default 5) most probable tokens are
 * returned, each with the input decoded with that token in place of the mask.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` if the tokenizer has no mask token.
 */
export function createFillMask(runner: ModelRunner): HuggingFaceTaskModel<'fill-mask'> {
  const { tokenizer } = runner;
  const maskToken = tokenizer.mask_token;
  const maskId = tokenizer.mask_token_id;
  if (typeof maskToken !== 'string' || typeof maskId !== 'number') {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      'the tokenizer defines no mask token, so the model cannot serve fill-mask: add mask_token to tokenizer_config.json',
    );
  }

  /** Returns the position of the only mask token in `row`, naming the input otherwise. */
  function maskPosition(row: EncodedRow, index: number): number {
    const found = row.ids.flatMap((id, position) => (id === maskId ? [position] : []));
    if (found.length !== 1) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `inputs[${index}] contains ${found.length} ${maskToken} tokens (after truncation): send text with exactly one ${maskToken}`,
        { param: `inputs[${index}]` },
      );
    }
    return found[0] as number;
  }

  function predictRow(
    row: EncodedRow,
    position: number,
    scores: number[],
    topK: number,
  ): FillMaskPrediction[] {
    const ranked = scores.map((score, token) => ({ score, token }));
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, Math.min(topK, ranked.length)).map(({ score, token }) => {
      const ids = [...row.ids];
      ids[position] = token;
      return {
        score,
        token,
        token_str: tokenizer.decode([token]),
        sequence: tokenizer.decode(ids, { skip_special_tokens: true }),
      };
    });
  }

  async function predict(
    inputs: readonly string[],
    parameters: RawParameters = {},
  ): Promise<FillMaskPrediction[][]> {
    assertStringInputs(inputs);
    rejectUnknownParameters('fill-mask', parameters, PARAMETERS);
    const topK = readTopK(parameters, 'top_k', DEFAULT_TOP_K, false) ?? DEFAULT_TOP_K;
    if (inputs.length === 0) return [];

    // Every input is checked before the model runs, so one bad input costs no inference.
    const batch = runner.encode(inputs);
    const positions = batch.rows.map(maskPosition);
    const output = await runner.forward(batch, ['logits']);
    return batch.rows.map((row, rowIndex) => {
      const position = positions[rowIndex] as number;
      const logits = vectorAt(output, rowIndex, row.positions[position] as number);
      return predictRow(row, position, softmax(logits), topK);
    });
  }

  return {
    task: 'fill-mask',
    labels: undefined,
    predict,
    countTokens: (inputs) => runner.countTokens(inputs),
    dispose: () => runner.dispose(),
  };
}
