import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry, VersionRecord } from '../../registry/index.js';
import { loadOnnxGraph, ONNX_MODEL_FILE } from '../../runtimes/onnx/session.js';
import {
  SEMANTIC_ROLE_LABELING_TASK,
  SRL_TAGGER_FORMAT,
  SRL_TAGGER_FORMAT_VERSION,
  type SrlTaggerFile,
} from '../../tasks/srl-tagger-file.js';
import { TAGGER_FILE } from '../../tasks/tagger-file.js';
import { tokenKey } from '../tagging/token-splitter.js';
import {
  computeArgumentReport,
  NO_ROLE,
  PREDICATE_ROLE,
  type ArgumentReport,
} from '../evaluation/argument-report.js';
import { exportSrlTaggerToOnnx } from '../onnx-export/srl-tagger.js';
import { ONNX_PARITY_TOLERANCE, type OnnxParity } from '../onnx-export/verify.js';
import { sequenceModelCard, type SequenceCardFields } from '../sequence/model-card.js';
import { registerStagedVersion } from '../sequence/register-staged.js';
import { predicateIndicator, type SrlExample } from './instances.js';
import type { SrlHyperparameters } from './model.js';
import {
  predictRoles,
  scoreExamples,
  type SrlEpochMetrics,
  type TrainedSrlTagger,
} from './train.js';

/** Examples of the validation set run through both runtimes to check the export. */
const PARITY_EXAMPLES = 64;

export interface RegisterSrlTaggerOptions {
  name: string;
  description?: string;
  alias?: string;
  hyperparameters: SrlHyperparameters;
  validation: readonly SrlExample[];
  /** Held-out examples never trained on; their argument report goes into the model card. */
  test?: readonly SrlExample[];
  /** Model card `training` fields: data source, split, command and the like. */
  training?: Record<string, unknown>;
}

/**
 * Writes `model.onnx` and `tagger.json` of a trained role tagger into `dir` and compares the
 * ONNX graph with the tfjs model on up to 64 `examples`, over their real tokens.
 *
 * @throws Error when the outputs differ by more than {@link ONNX_PARITY_TOLERANCE}.
 */
export async function writeSrlTaggerArtifacts(
  trained: TrainedSrlTagger,
  hyperparameters: SrlHyperparameters,
  examples: readonly SrlExample[],
  dir: string,
): Promise<OnnxParity> {
  const file: SrlTaggerFile = {
    format: SRL_TAGGER_FORMAT,
    format_version: SRL_TAGGER_FORMAT_VERSION,
    max_length: hyperparameters.maxLength,
    vocabulary: [...trained.vocabulary.tokens()],
    roles: [...trained.roles],
    no_role: NO_ROLE,
    predicate_role: PREDICATE_ROLE,
  };
  await writeFile(join(dir, TAGGER_FILE), JSON.stringify(file));
  await writeFile(join(dir, ONNX_MODEL_FILE), exportSrlTaggerToOnnx(trained.model));
  const parity = await compareSrlRuntimes(
    trained,
    dir,
    examples.slice(0, PARITY_EXAMPLES),
    hyperparameters.maxLength,
  );
  if (!(parity.max_abs_diff <= ONNX_PARITY_TOLERANCE)) {
    throw new Error(
      `the ONNX export differs from tfjs by ${parity.max_abs_diff} (more than ${ONNX_PARITY_TOLERANCE})`,
    );
  }
  return parity;
}

/**
 * Runs `examples` through the tfjs model and through `model.onnx` in `dir`, 16 per padded
 * batch, and returns the largest absolute difference over their real tokens.
 */
export async function compareSrlRuntimes(
  trained: TrainedSrlTagger,
  dir: string,
  examples: readonly SrlExample[],
  maxLength: number,
): Promise<OnnxParity> {
  const width = trained.roles.length;
  const expected = scoreExamples(trained.model, trained.vocabulary, examples, maxLength, width);
  const graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  let maxAbsDiff = 0;
  try {
    for (let first = 0; first < examples.length; first += 16) {
      const batch = examples.slice(first, first + 16).map((example) => {
        const tokens = example.tokens.slice(0, maxLength);
        return {
          ids: tokens.map((token) => trained.vocabulary.idOf(tokenKey(token))),
          indicator: predicateIndicator(tokens.length, example.predicateIndex),
        };
      });
      const steps = Math.max(1, ...batch.map((row) => row.ids.length));
      const ids = new Int32Array(batch.length * steps);
      const indicator = new Int32Array(batch.length * steps);
      const attentionMask = new Int32Array(batch.length * steps);
      batch.forEach((row, index) => {
        ids.set(row.ids, index * steps);
        indicator.set(row.indicator, index * steps);
        attentionMask.fill(1, index * steps, index * steps + row.ids.length);
      });
      const actual = await graph.run({
        ids,
        attentionMask,
        predicateIndicator: indicator,
        batchSize: batch.length,
        sequenceLength: steps,
      });
      batch.forEach((row, index) => {
        const reference = expected[first + index] as Float32Array;
        const start = index * steps * width;
        for (let at = 0; at < row.ids.length * width; at++) {
          const diff = Math.abs((actual[start + at] as number) - (reference[at] as number));
          maxAbsDiff = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, diff);
        }
      });
    }
  } finally {
    graph.dispose();
  }
  return {
    rows_checked: examples.length,
    max_abs_diff: maxAbsDiff,
    tolerance: ONNX_PARITY_TOLERANCE,
  };
}

/**
 * Exports a trained role tagger to ONNX, checks the export against tfjs, evaluates the test
 * examples and registers a `semantic-role-labeling` version whose model card contains the
 * argument reports.
 */
export async function registerSrlTagger(
  registry: Registry,
  trained: TrainedSrlTagger,
  options: RegisterSrlTaggerOptions,
): Promise<VersionRecord> {
  const version = { ...options, task: SEMANTIC_ROLE_LABELING_TASK };
  return registerStagedVersion(registry, 'maas-srl-', version, async (staging) => {
    const hp = options.hyperparameters;
    const parity = await writeSrlTaggerArtifacts(trained, hp, options.validation, staging);
    let test: ArgumentReport | null = null;
    if (options.test !== undefined && options.test.length > 0) {
      test = computeArgumentReport(
        options.test.map((example) => example.labels),
        predictRoles(trained.model, trained.vocabulary, trained.roles, options.test, hp.maxLength),
      );
    }
    return srlModelCard({
      ...(options.description === undefined ? {} : { description: options.description }),
      hyperparameters: hp,
      roles: trained.roles,
      parameterCount: trained.model.countParams(),
      ...(options.training === undefined ? {} : { training: options.training }),
      bestEpoch: trained.bestEpoch,
      history: trained.history,
      vocabularySize: trained.vocabulary.size,
      validation: trained.validation,
      test,
      onnxParity: parity,
    });
  });
}

/** Outcome of a role tagger training run, as its model card records it. */
export interface SrlCardFields extends SequenceCardFields<
  SrlHyperparameters,
  SrlEpochMetrics,
  ArgumentReport
> {
  roles: readonly string[];
  parameterCount: number;
}

/** Builds the `model-card.json` of a `semantic-role-labeling` version. */
export function srlModelCard(fields: SrlCardFields): Record<string, unknown> {
  return sequenceModelCard(fields, {
    architecture: 'bilstm-predicate-indicator',
    labels: fields.roles,
    parameters: fields.parameterCount,
  });
}
