import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig, type SettingName } from '../../src/config/index.js';
import type { ClassifierHyperparameters } from '../../src/training/classification/hyperparameters.js';
import { trainAndRegisterClassifier } from '../../src/training/train-and-register.js';
import type { VersionRecord } from '../../src/registry/index.js';
import { createRandom } from '../../src/util/random.js';

/** A clearly positive review that the fixture model classifies as `positive`. */
export const POSITIVE_TEXT = '房间很干净，服务也很好';

/** A clearly negative review that the fixture model classifies as `negative`. */
export const NEGATIVE_TEXT = '房间很脏，服务太差了';

/** Label renaming of the fixture file, in the `--label-names` form and as an object. */
export const LABEL_NAMES_FLAG = '0=negative,1=positive';
export const LABEL_NAMES: Record<string, string> = { '0': 'negative', '1': 'positive' };

/** Rows per label in the fixture file. */
export const ROWS_PER_LABEL = 150;

/**
 * Hyperparameters of the fixture model: small enough to train in a few seconds, and with a
 * learning rate high enough that 4 epochs over 300 rows separate the two labels.
 */
export const FIXTURE_HYPERPARAMETERS = {
  epochs: 4,
  maxLength: 32,
  embeddingDim: 16,
  units: 16,
  batchSize: 16,
  learningRate: 0.01,
  dropout: 0.1,
  seed: 42,
} as const satisfies Partial<ClassifierHyperparameters>;

/** The same hyperparameters as `maas train` flags. */
export const FIXTURE_TRAIN_FLAGS = [
  '--epochs',
  String(FIXTURE_HYPERPARAMETERS.epochs),
  '--max-length',
  String(FIXTURE_HYPERPARAMETERS.maxLength),
  '--embedding-dim',
  String(FIXTURE_HYPERPARAMETERS.embeddingDim),
  '--units',
  String(FIXTURE_HYPERPARAMETERS.units),
  '--batch-size',
  String(FIXTURE_HYPERPARAMETERS.batchSize),
  '--learning-rate',
  String(FIXTURE_HYPERPARAMETERS.learningRate),
  '--dropout',
  String(FIXTURE_HYPERPARAMETERS.dropout),
  '--seed',
  String(FIXTURE_HYPERPARAMETERS.seed),
];

const SUBJECTS = [
  '房间',
  '服务',
  '早餐',
  '前台',
  '床单',
  '卫生间',
  '环境',
  'the room',
  'the staff',
];

const POSITIVE_PHRASES = [
  '很干净',
  '非常干净',
  '很好',
  '特别好',
  '真好',
  '很满意',
  '非常满意',
  '值得推荐',
  '强烈推荐',
  'great',
  'really great',
];

const NEGATIVE_PHRASES = [
  '很脏',
  '太脏了',
  '很差',
  '太差了',
  '特别差',
  '很失望',
  '非常失望',
  '很糟糕',
  '太糟糕了',
  'terrible',
  'really terrible',
];

/** Neutral openings, so that the labels depend on the sentiment phrases alone. */
const FILLERS = [
  '',
  '我们住了两晚，',
  '周末出差，',
  '总的来说，',
  '价格一般，',
  '离地铁站不远，',
  'we stayed two nights, ',
  'the location is ok, ',
];

const POSITIVE_EMOJI = ['', '', '😊', '👍', '❤️'];
const NEGATIVE_EMOJI = ['', '', '😡', '👎', '💔'];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Joins two parts, with a space only where a Latin word meets another word. */
function joinWords(left: string, right: string): string {
  return /[A-Za-z]$/.test(left) || /^[A-Za-z]/.test(right) ? `${left} ${right}` : left + right;
}

function makeReview(phrases: readonly string[], emoji: readonly string[], random: () => number) {
  const first = joinWords(pick(SUBJECTS, random), pick(phrases, random));
  const second = joinWords(pick(SUBJECTS, random), joinWords('也', pick(phrases, random)));
  return `${pick(FILLERS, random)}${first}，${second}${pick(emoji, random)}`;
}

function quoteCsv(field: string): string {
  return `"${field.replace(/"/g, '""')}"`;
}

/**
 * Builds the fixture CSV: header `label,review`, {@link ROWS_PER_LABEL} rows of label 1
 * (positive) and as many of label 0 (negative), interleaved.
 */
export function buildSentimentCsv(): string {
  const random = createRandom(20240601);
  const lines = ['label,review'];
  for (let row = 0; row < ROWS_PER_LABEL; row += 1) {
    lines.push(`1,${quoteCsv(makeReview(POSITIVE_PHRASES, POSITIVE_EMOJI, random))}`);
    lines.push(`0,${quoteCsv(makeReview(NEGATIVE_PHRASES, NEGATIVE_EMOJI, random))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the fixture CSV as `reviews.csv` in `dir` and returns its path. */
export async function writeSentimentCsv(dir: string): Promise<string> {
  const file = join(dir, 'reviews.csv');
  await writeFile(file, buildSentimentCsv(), 'utf8');
  return file;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `nlp-maas-${prefix}-`));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Creates a logger that writes nothing, for contexts and servers under test. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Opens a context on a fresh data folder with no bundled models (an empty `models_dir`),
 * plus any `flags` on top, e.g. `{ 'server.body_limit': 2048 }`.
 */
export async function openTestContext(
  root: string,
  flags: Partial<Record<SettingName, unknown>> = {},
): Promise<AppContext> {
  const dataDir = await mkdtemp(join(root, 'data-'));
  const modelsDir = await mkdtemp(join(root, 'models-'));
  const { settings } = loadConfig({
    env: {},
    flags: { data_dir: dataDir, models_dir: modelsDir, 'log.level': 'silent', ...flags },
  });
  return openContext(settings, silentLogger());
}

/** Trains the fixture model from `file` and registers it in `context` as `name`. */
export async function trainSentimentModel(
  context: AppContext,
  file: string,
  name: string,
): Promise<VersionRecord> {
  const { version } = await trainAndRegisterClassifier(context, {
    file,
    name,
    validationFraction: 0.2,
    labelNames: LABEL_NAMES,
    hyperparameters: FIXTURE_HYPERPARAMETERS,
  });
  return version;
}

/**
 * Trains the fixture model once in a throwaway context and copies its version folder to
 * `<modelsDir>/<name>`, where `openContext` registers it as a bundled model.
 */
export async function writeBundledSentimentModel(
  root: string,
  modelsDir: string,
  name: string,
): Promise<void> {
  const file = await writeSentimentCsv(root);
  const trainer = await openTestContext(root);
  try {
    const version = await trainSentimentModel(trainer, file, name);
    await cp(version.dir, join(modelsDir, name), { recursive: true });
  } finally {
    await trainer.close();
  }
}
