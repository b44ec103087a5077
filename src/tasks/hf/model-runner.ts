import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { MaasError } from '../../errors/index.js';

/** One input of a padded batch: its token ids and where they sit in the padded row. */
export interface EncodedRow {
  /** Ids of the tokens the attention mask keeps, special tokens included. */
  ids: number[];
  /** Position of each of those tokens in the padded row. */
  positions: number[];
}

export interface EncodedBatch {
  /** Tensors for the model: `input_ids`, `attention_mask` and, where used, `token_type_ids`. */
  inputs: Record<string, Tensor>;
  rows: EncodedRow[];
  /** Length of the padded rows. */
  sequenceLength: number;
}

/** A float output of the model, row-major with shape `dims`. */
export interface ModelOutput {
  data: ArrayLike<number>;
  dims: number[];
}

function toNumberRows(tensor: Tensor): number[][] {
  return (tensor.tolist() as (bigint | number)[][]).map((row) => row.map(Number));
}

/**
 * Tokenizer and ONNX model of one Hugging Face folder, run as one padded batch per call.
 * Inputs longer than the tokenizer's `model_max_length` are truncated.
 */
export class ModelRunner {
  readonly tokenizer: PreTrainedTokenizer;
  readonly #model: PreTrainedModel;

  constructor(tokenizer: PreTrainedTokenizer, model: PreTrainedModel) {
    this.tokenizer = tokenizer;
    this.#model = model;
  }

  /** Tokenizes `texts` (and `pairs`, the second sequences, if given) into one padded batch. */
  encode(texts: readonly string[], pairs?: readonly string[]): EncodedBatch {
    const inputs = this.tokenizer([...texts], {
      text_pair: pairs === undefined ? null : [...pairs],
      padding: true,
      truncation: true,
    }) as unknown as Record<string, Tensor>;
    const ids = toNumberRows(inputs.input_ids as Tensor);
    const mask = toNumberRows(inputs.attention_mask as Tensor);

    // The mask, not the row length, marks real tokens, so left padding works too.
    const rows = ids.map((rowIds, row) => {
      const positions = rowIds.flatMap((_, position) => (mask[row]?.[position] ? [position] : []));
      return { ids: positions.map((position) => rowIds[position] as number), positions };
    });
    return { inputs, rows, sequenceLength: ids[0]?.length ?? 0 };
  }

  /** Runs the model on `batch` and returns the first of `outputNames` that it produces. */
  async forward(batch: EncodedBatch, outputNames: readonly string[]): Promise<ModelOutput> {
    const outputs = (await this.#model(batch.inputs)) as Record<string, Tensor | undefined>;
    for (const name of outputNames) {
      const output = outputs[name];
      if (output !== undefined) {
        return { data: output.data as ArrayLike<number>, dims: [...output.dims] };
      }
    }
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `the model returned ${Object.keys(outputs).join(', ')} but the task needs one of ${outputNames.join(', ')}`,
    );
  }

  /** Number of tokens each text encodes to, special tokens included, before truncation. */
  countTokens(texts: readonly string[]): number[] {
    return texts.map((text) => this.tokenizer.encode(text).length);
  }

  async dispose(): Promise<void> {
    await this.#model.dispose();
  }
}

function sliceOf(output: ModelOutput, start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => output.data[start + i] as number);
}

/** Returns the vector of a `[batch, sequence, width]` output at one row and position. */
export function vectorAt(output: ModelOutput, row: number, position: number): number[] {
  const [, sequence = 0, width = 0] = output.dims;
  return sliceOf(output, (row * sequence + position) * width, width);
}

/** Returns one row of a `[batch, width]` output. */
export function rowAt(output: ModelOutput, row: number): number[] {
  const [, width = 0] = output.dims;
  return sliceOf(output, row * width, width);
}
