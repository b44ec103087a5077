import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { MaasError } from '../../errors/index.js';
import { characterNormalizerFromTokenizerJson } from './character-normalizer.js';
import { softmax } from './math.js';
import type { TokenizerFacts } from './model-folder.js';
import { vectorAt, type EncodedRow, type ModelOutput, type ModelRunner } from './model-runner.js';
import {
  assertStringInputs,
  readChoice,
  readStringList,
  rejectUnknownParameters,
  type RawParameters,
} from './parameters.js';
import { AGGREGATION_STRATEGIES, aggregateTokens, type ScoredToken } from './token-aggregation.js';
import { alignTokens } from './token-alignment.js';
import type { EntityGroup, HuggingFaceTaskModel, TokenEntity } from './types.js';

/** Layout of the special tokens that the post-processor adds around a single text. */
interface TemplateLayout {
  /** Special tokens before the text, 1 for `[CLS] text [SEP]`. */
  prefix: number;
  /** Special tokens in all, 2 for `[CLS] text [SEP]`. */
  total: number;
}

/** Measures the single-sequence template by encoding an empty text and a one-token text. */
function findTemplateLayout(tokenizer: PreTrainedTokenizer): TemplateLayout {
  const total = tokenizer.encode('').length;
  const probe = tokenizer.unk_token;
  const probeIds = typeof probe === 'string' ? tokenizer.encode(probe) : [];
  const prefix = probeIds.indexOf(tokenizer.unk_token_id);
  return { prefix: prefix === -1 ? 0 : prefix, total };
}

const PARAMETERS = ['aggregation_strategy', 'ignore_labels'] as const;

const DEFAULT_IGNORE_LABELS = ['O'] as const;

/**
 * Creates the `token-classification` task: logits per token → softmax → offsets from the
 * token aligner → the aggregation strategy of the Python pipeline.
 */
export function createTokenClassification(
  runner: ModelRunner,
  tokenizerFacts: TokenizerFacts,
  labels: readonly string[],
): HuggingFaceTaskModel<'token-classification'> {
  const { tokenizer } = runner;
  const prefix = tokenizerFacts.continuingSubwordPrefix ?? '##';
  const alignmentOptions = {
    normalizeCharacter: characterNormalizerFromTokenizerJson(tokenizerFacts.normalizer),
    continuingSubwordPrefix: prefix,
    unknownToken: tokenizerFacts.unknownToken ?? tokenizer.unk_token,
    addedTokens: new Set(tokenizerFacts.addedTokens),
  };

  const template = findTemplateLayout(tokenizer);

  /**
   * Scores every token of one row that the text itself produced, `[UNK]` included, and skips
   * the tokens the post-processor adds (`[CLS]`, `[SEP]`) and padding.
   */
  function scoreRow(text: string, row: EncodedRow, rowIndex: number, output: ModelOutput) {
    const contentCount = Math.max(0, row.ids.length - template.total);
    const contentTokens = tokenizer.tokenize(text).slice(0, contentCount);
    const spans = alignTokens(text, contentTokens, alignmentOptions);
    let previousEnd = 0;
    return contentTokens.map((token, k): ScoredToken => {
      const index = template.prefix + k;
      // NOTE: a token the aligner could not place gets an empty span after the previous one.
      const { start, end } = spans[k] ?? { start: previousEnd, end: previousEnd };
      previousEnd = end;
      return {
        index,
        start,
        end,
        scores: softmax(vectorAt(output, rowIndex, row.positions[index] as number)),
        isSubword: token.startsWith(prefix) && token !== alignmentOptions.unknownToken,
      };
    });
  }

  async function predict(
    inputs: readonly string[],
    parameters: RawParameters = {},
  ): Promise<(TokenEntity[] | EntityGroup[])[]> {
    assertStringInputs(inputs);
    rejectUnknownParameters('token-classification', parameters, PARAMETERS);
    const strategy = readChoice(parameters, 'aggregation_strategy', AGGREGATION_STRATEGIES, 'none');
    const ignoreLabels = readStringList(parameters, 'ignore_labels', {
      fallback: DEFAULT_IGNORE_LABELS,
    });
    if (inputs.length === 0) return [];

    const batch = runner.encode(inputs);
    const output = await runner.forward(batch, ['logits']);
    if (output.dims.length !== 3 || output.dims[2] !== labels.length) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `the model returned logits of shape [${output.dims.join(', ')}] but config.json lists ${labels.length} labels`,
      );
    }
    return inputs.map((text, rowIndex) => {
      const tokens = scoreRow(text, batch.rows[rowIndex] as EncodedRow, rowIndex, output);
      return aggregateTokens(text, tokens, labels, strategy, ignoreLabels);
    });
  }

  return {
    task: 'token-classification',
    labels,
    predict,
    countTokens: (inputs) => runner.countTokens(inputs),
    dispose: () => runner.dispose(),
  };
}
