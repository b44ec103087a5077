import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
import type { ResolvedVersion } from '../registry/index.js';
import { loadGraph, type RuntimeOptions } from '../runtimes/index.js';
import { SemanticRoleLabelingPipeline, type SrlEncoding } from '../tasks/semantic-role-labeling.js';
import { SEMANTIC_ROLE_LABELING_TASK, readSrlTaggerFile } from '../tasks/srl-tagger-file.js';
import { TAGGER_FILE, readTaggerFile } from '../tasks/tagger-file.js';
import { TextClassificationPipeline, readTokenizer } from '../tasks/text-classification.js';
import { TokenClassificationPipeline } from '../tasks/token-classification.js';
import type { Encoding } from '../text/index.js';
import type { InHouseModel, InHouseSrlModel, InHouseTaggerModel } from './loaded-model.js';
import { modelFileBytes } from './model-files.js';
import { BatchScheduler, type BatchReport, type SchedulerLimits } from './scheduler/index.js';

/** Pool settings that loading a model trained here reads. */
export interface InHouseLoadOptions {
  runtime?: RuntimeOptions;
  scheduler?: Partial<SchedulerLimits>;
  onBatch?: (reference: string, report: BatchReport) => void;
  logger?: Logger;
}

type InHouse = InHouseModel | InHouseTaggerModel | InHouseSrlModel;

/**
 * Loads a version trained here: a text classifier, a tagger or a semantic role tagger, by
 * its task, with a scheduler in front of its graph.
 *
 * @throws MaasError `MAAS_ERR_TASK_UNSUPPORTED` for another task, and
 * `MAAS_ERR_MODEL_LOAD_FAILED` with the cause in the log only, because it names server paths.
 */
export async function loadInHouseModel(
  version: ResolvedVersion,
  options: InHouseLoadOptions,
): Promise<InHouse> {
  const started = Date.now();
  const reference = `${version.name}@${version.version}`;
  const load = LOADERS[version.task];
  if (load === undefined) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `model ${reference} has task ${version.task}; models trained here serve ${Object.keys(LOADERS).join(', ')} only`,
    );
  }
  try {
    const model = await load(version, reference, options);
    options.logger?.info(
      {
        model: version.name,
        version: version.version,
        runtime: version.runtime,
        loadMs: Date.now() - started,
      },
      'model loaded',
    );
    return model;
  } catch (error) {
    options.logger?.error(
      { model: version.name, version: version.version, err: error },
      'model load failed',
    );
    throw new MaasError(
      'MAAS_ERR_MODEL_LOAD_FAILED',
      `cannot load ${reference}: its files are missing or invalid; the server log has the details`,
      { cause: error },
    );
  }
}

type Loader = (
  version: ResolvedVersion,
  reference: string,
  options: InHouseLoadOptions,
) => Promise<InHouse>;

/** Loader of each task that models trained here serve. */
const LOADERS: Record<string, Loader> = {
  'text-classification': loadClassifier,
  'token-classification': loadTagger,
  [SEMANTIC_ROLE_LABELING_TASK]: loadSrlTagger,
};

async function loadClassifier(
  version: ResolvedVersion,
  reference: string,
  options: InHouseLoadOptions,
): Promise<InHouseModel> {
  const labels = version.modelCard['labels'];
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
    throw new MaasError('MAAS_ERR_ARTIFACT_INVALID', `model card has no "labels" list of strings`);
  }
  const [tokenizer, graph] = await Promise.all([
    readTokenizer(version.dir),
    loadGraph(version.runtime, version.dir, options.runtime),
  ]);
  const pipeline = new TextClassificationPipeline(tokenizer, graph, labels as string[]);
  return {
    ...baseFields(version, reference),
    kind: 'in-house',
    pipeline,
    scheduler: encodingScheduler(reference, options, (encodings) => pipeline.score(encodings)),
    sizeBytes: await modelFileBytes(version),
  };
}

async function loadTagger(
  version: ResolvedVersion,
  reference: string,
  options: InHouseLoadOptions,
): Promise<InHouseTaggerModel> {
  const [file, graph] = await Promise.all([
    readTaggerFile(version.dir),
    loadGraph(version.runtime, version.dir, options.runtime),
  ]);
  const pipeline = new TokenClassificationPipeline(file, graph);
  return {
    ...baseFields(version, reference),
    kind: 'in-house-tagger',
    pipeline,
    scheduler: encodingScheduler(reference, options, (windows) => pipeline.score(windows)),
    sizeBytes: await modelFileBytes(version, TAGGER_FILE),
  };
}

async function loadSrlTagger(
  version: ResolvedVersion,
  reference: string,
  options: InHouseLoadOptions,
): Promise<InHouseSrlModel> {
  const [file, graph] = await Promise.all([
    readSrlTaggerFile(version.dir),
    loadGraph(version.runtime, version.dir, options.runtime),
  ]);
  const pipeline = new SemanticRoleLabelingPipeline(file, graph);
  return {
    ...baseFields(version, reference),
    kind: 'in-house-srl',
    pipeline,
    scheduler: encodingScheduler<SrlEncoding>(reference, options, (windows) =>
      pipeline.score(windows),
    ),
    sizeBytes: await modelFileBytes(version, TAGGER_FILE),
  };
}

function baseFields(
  version: ResolvedVersion,
  reference: string,
): { name: string; version: number; task: string; reference: string } {
  return { name: version.name, version: version.version, task: version.task, reference };
}

/** Creates the scheduler of a model trained here, whose inputs are encodings of token ids. */
function encodingScheduler<Input extends Encoding = Encoding>(
  reference: string,
  options: InHouseLoadOptions,
  runBatch: (encodings: Input[]) => Promise<Float32Array[]>,
): BatchScheduler<Input, Float32Array> {
  const onBatch = options.onBatch;
  return new BatchScheduler<Input, Float32Array>({
    ...options.scheduler,
    name: reference,
    runBatch,
    lengthOf: (encoding) => encoding.length,
    ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
