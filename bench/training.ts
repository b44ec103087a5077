/**
 * `npm run bench:training`: training throughput, in sequences per second, of every classifier
 * and tagger architecture on the tfjs wasm backend, with the same model in PyTorch as the
 * reference where a Python with `torch` is found. Each side runs warm-up steps, then timed
 * steps, on the same synthetic batches. Writes bench/results/training-<time>.json and the
 * training section of BENCHMARKS.md, and exits with status 1 when a parameter count differs
 * between the two sides.
 *
 * Options: --steps N (timed steps, default 6), --warmup N (default 2), --batch-size N
 * (default 32), --sequence-length N (steps per batch, default 64), --classifiers LIST and
 * --taggers LIST (comma-separated architectures, default all, `none` for none),
 * --torch-threads LIST (PyTorch thread counts, default the tfjs thread count and the core
 * count), --out DIR. The environment variable BENCH_PYTHON names the Python to run PyTorch
 * with; by default the first of `python3` and `/usr/bin/python3` that imports torch.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { tf, useWasmBackend } from '../src/runtimes/tfjs/backend.js';
import {
  CLASSIFIER_ARCHITECTURES,
  defaultHyperparameters,
  type ClassifierArchitecture,
} from '../src/training/classification/hyperparameters.js';
import { buildClassifier } from '../src/training/classification/model.js';
import { fitEpoch } from '../src/training/classification/train.js';
import { registerTrainingKernels } from '../src/training/kernels/index.js';
import {
  buildTagger,
  createCrfVariables,
  DEFAULT_TAGGER_HYPERPARAMETERS,
  TAGGER_ARCHITECTURES,
  type TaggerArchitecture,
  type TaggerHyperparameters,
} from '../src/training/tagging/model.js';
import { trainableVariables, trainStep } from '../src/training/tagging/train.js';
import { replaceTrainingSection } from './report.js';
import { syntheticBatches, type SyntheticBatch } from './training-data.js';
import {
  parameterMismatches,
  renderTrainingSection,
  summarizeSteps,
  type ArchitectureResult,
  type StepTiming,
  type TorchRun,
  type TorchStatus,
  type TrainingBenchmarkReport,
} from './training-report.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const torchScript = join(root, 'bench', 'training_torch.py');
const args = process.argv.slice(2);

function option(name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index === -1 ? fallback : (args[index + 1] ?? fallback);
}

function positiveInteger(name: string, fallback: number, minimum = 1): number {
  const text = option(name, String(fallback));
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`${name} must be an integer of at least ${minimum}, got ${text}`);
  }
  return value;
}

function architectureList<T extends string>(name: string, choices: readonly T[]): T[] {
  const text = option(name, choices.join(','));
  if (text === 'none') return [];
  const chosen = text.split(',').map((item) => item.trim());
  for (const item of chosen) {
    if (!choices.includes(item as T)) {
      throw new Error(
        `${name}: invalid architecture ${item}, expected one of ${choices.join(', ')} or none`,
      );
    }
  }
  return chosen as T[];
}

await useWasmBackend();
registerTrainingKernels();
const tfjsThreads = getThreadsCount();
const cores = cpus().length;

const steps = positiveInteger('--steps', 6);
const warmupSteps = positiveInteger('--warmup', 2, 0);
const batchSize = positiveInteger('--batch-size', 32);
const sequenceLength = positiveInteger('--sequence-length', 64, 2);
const classifiers = architectureList('--classifiers', CLASSIFIER_ARCHITECTURES);
const taggers = architectureList('--taggers', TAGGER_ARCHITECTURES);
const torchThreads = [
  ...new Set(
    option('--torch-threads', `${tfjsThreads},${cores}`)
      .split(',')
      .map((item) => Number(item)),
  ),
];
if (!torchThreads.every((count) => Number.isSafeInteger(count) && count >= 1)) {
  throw new Error(`--torch-threads must list integers of at least 1, got ${torchThreads}`);
}
const outDir = option('--out', join(root, 'bench', 'results'));
const SEED = 42;
/** Two labels, as a sentiment classifier has. */
const LABELS = 2;
/** O and B- and I- tags of three entity types, as an NER set such as MSRA's has. */
const TAGS = 7;

/** Finds a Python that imports torch: BENCH_PYTHON if set, else `python3`, then Debian's. */
function findTorch(): TorchStatus {
  const override = process.env['BENCH_PYTHON'];
  const candidates = override ? [override] : ['python3', '/usr/bin/python3'];
  const problems: string[] = [];
  for (const python of candidates) {
    try {
      const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      }).trim();
      return { found: true, python, version };
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1);
      problems.push(`${python}: ${stderr || (error as Error).message}`);
    }
  }
  const hint = override
    ? 'Set BENCH_PYTHON to a Python that imports torch.'
    : 'Install python3-torch (Debian) or set BENCH_PYTHON to a Python that imports torch.';
  return { found: false, reason: `${problems.join('; ')}. ${hint}` };
}

/** Runs bench/training_torch.py on the same model and batches and returns its result. */
async function runTorch(
  python: string,
  spec: Record<string, unknown>,
  batches: readonly SyntheticBatch[],
  kind: 'classifier' | 'tagger',
): Promise<{ parameters: number; runs: TorchRun[] }> {
  const folder = mkdtempSync(join(tmpdir(), 'maas-bench-training-'));
  const specFile = join(folder, 'spec.json');
  const serialized = batches.map((batch) => ({
    size: batch.size,
    steps: batch.steps,
    ids: Array.from(batch.ids),
    lengths: batch.lengths,
    ...(kind === 'tagger'
      ? { tags: Array.from(batch.tags) }
      : { labels: Array.from(batch.labels) }),
  }));
  writeFileSync(
    specFile,
    JSON.stringify({ ...spec, kind, threads: torchThreads, warmupSteps, batches: serialized }),
  );
  try {
    const { stdout } = await promisify(execFile)(python, [torchScript, specFile], {
      encoding: 'utf8',
      maxBuffer: 16 * 2 ** 20,
      timeout: 30 * 60_000,
    });
    const output = JSON.parse(stdout) as {
      parameters: number;
      runs: { threads: number; stepSeconds: number[] }[];
    };
    return {
      parameters: output.parameters,
      runs: output.runs.map((run) => ({
        threads: run.threads,
        timing: summarizeSteps(run.stepSeconds, batchSize),
      })),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function countParameters(variables: readonly { shape: readonly number[] }[]): number {
  return variables.reduce(
    (total, variable) => total + variable.shape.reduce((product, size) => product * size, 1),
    0,
  );
}

/** Runs `step` on every batch and returns the durations of those after the warm-up. */
async function timeSteps<T>(
  batches: readonly T[],
  step: (batch: T) => Promise<void> | void,
): Promise<StepTiming> {
  const seconds: number[] = [];
  for (const [index, batch] of batches.entries()) {
    const started = performance.now();
    await step(batch);
    if (index >= warmupSteps) seconds.push((performance.now() - started) / 1000);
  }
  return summarizeSteps(seconds, batchSize);
}

async function measureClassifier(
  architecture: ClassifierArchitecture,
): Promise<{ spec: Record<string, unknown>; parameters: number; timing: StepTiming }> {
  const hyperparameters = { ...defaultHyperparameters(architecture), batchSize };
  if (sequenceLength > hyperparameters.maxLength) {
    throw new Error(
      `--sequence-length ${sequenceLength} is above the maxLength of ${architecture}, ${hyperparameters.maxLength}`,
    );
  }
  const vocabularySize = hyperparameters.vocabularySize;
  const model = buildClassifier(hyperparameters, vocabularySize, LABELS);
  const optimizer = tf.train.adam(hyperparameters.learningRate);
  const classWeights = tf.ones([LABELS]) as tf.Tensor1D;
  const stepOptions = { classWeights, labelCount: LABELS, clipNorm: hyperparameters.clipNorm };
  try {
    const batches = batchesFor(vocabularySize, LABELS).map((batch) => ({
      ids: batch.ids,
      labels: batch.labels,
      size: batch.size,
      sequenceLength: batch.steps,
    }));
    const timing = await timeSteps(batches, async (batch) => {
      await fitEpoch(
        model,
        optimizer,
        [batch],
        stepOptions,
        () => false,
        () => {},
      );
    });
    const spec = { hyperparameters, vocabularySize, outputs: LABELS };
    const weights = model.trainableWeights.map((weight) => weight.read());
    return { spec, parameters: countParameters(weights), timing };
  } finally {
    tf.dispose([classWeights]);
    optimizer.dispose();
    model.dispose();
  }
}

async function measureTagger(
  architecture: TaggerArchitecture,
): Promise<{ spec: Record<string, unknown>; parameters: number; timing: StepTiming }> {
  const hyperparameters: TaggerHyperparameters = {
    ...DEFAULT_TAGGER_HYPERPARAMETERS,
    architecture,
    batchSize,
  };
  if (sequenceLength > hyperparameters.maxLength) {
    throw new Error(
      `--sequence-length ${sequenceLength} is above the tagger maxLength ${hyperparameters.maxLength}`,
    );
  }
  const vocabularySize = hyperparameters.vocabularySize;
  const model = buildTagger(hyperparameters, vocabularySize, TAGS);
  const crf = architecture === 'bilstm-crf' ? createCrfVariables(TAGS) : null;
  const optimizer = tf.train.adam(hyperparameters.learningRate);
  try {
    const batches = batchesFor(vocabularySize, TAGS).map((batch) => {
      const mask = new Float32Array(batch.size * batch.steps);
      batch.lengths.forEach((length, row) =>
        mask.fill(1, row * batch.steps, row * batch.steps + length),
      );
      return {
        ids: batch.ids,
        tags: batch.tags,
        mask,
        size: batch.size,
        steps: batch.steps,
        width: 1,
      };
    });
    const timing = await timeSteps(batches, (batch) => {
      trainStep(
        model,
        crf,
        optimizer,
        batch,
        hyperparameters.clipNorm,
        trainableVariables(model, crf),
      );
    });
    const spec = { hyperparameters, vocabularySize, outputs: TAGS };
    return { spec, parameters: countParameters(trainableVariables(model, crf)), timing };
  } finally {
    optimizer.dispose();
    model.dispose();
    crf?.variables.forEach((variable) => variable.dispose());
  }
}

function batchesFor(vocabularySize: number, classes: number): SyntheticBatch[] {
  return syntheticBatches({
    count: warmupSteps + steps,
    batchSize,
    steps: sequenceLength,
    vocabularySize,
    classes,
    seed: SEED,
  });
}

const loadAtStart = loadavg()[0] ?? 0;
const runStarted = performance.now();
const torch = findTorch();
console.log(
  torch.found
    ? `PyTorch ${torch.version} found with ${torch.python}`
    : `PyTorch was not found: ${torch.reason}`,
);
const jobs = [
  ...classifiers.map((architecture) => ({
    task: 'text-classification' as const,
    architecture,
    kind: 'classifier' as const,
    measure: () => measureClassifier(architecture),
  })),
  ...taggers.map((architecture) => ({
    task: 'token-classification' as const,
    architecture,
    kind: 'tagger' as const,
    measure: () => measureTagger(architecture),
  })),
];
const results: ArchitectureResult[] = [];
for (const job of jobs) {
  const measured = await job.measure();
  const result: ArchitectureResult = {
    task: job.task,
    architecture: job.architecture,
    parameters: { tfjs: measured.parameters, torch: null },
    tfjs: measured.timing,
    torch: [],
  };
  if (torch.found) {
    try {
      const batches = batchesFor(
        measured.spec['vocabularySize'] as number,
        job.kind === 'tagger' ? TAGS : LABELS,
      );
      const reference = await runTorch(torch.python, measured.spec, batches, job.kind);
      result.parameters.torch = reference.parameters;
      result.torch = reference.runs;
    } catch (error) {
      result.torchError = (error as Error).message.split('\n').slice(0, 3).join(' ');
    }
  }
  results.push(result);
  const torchSummary = result.torch
    .map((run) => `PyTorch ${run.threads} thread(s) ${run.timing.sequencesPerSecond.toFixed(1)}`)
    .join(', ');
  console.log(
    `${job.kind} ${job.architecture}: parameters tfjs ${result.parameters.tfjs}, PyTorch ${result.parameters.torch ?? '–'}; sequences/s tfjs ${result.tfjs.sequencesPerSecond.toFixed(1)}${torchSummary ? `, ${torchSummary}` : ''}${result.torchError ? `; PyTorch failed: ${result.torchError}` : ''}`,
  );
}

const report: TrainingBenchmarkReport = {
  date: new Date().toISOString(),
  durationSeconds: (performance.now() - runStarted) / 1000,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    tfjs: tf.version.tfjs,
    tfjsBackend: tf.getBackend(),
    tfjsThreads,
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
  },
  torch,
  settings: {
    batchSize,
    sequenceLength,
    warmupSteps,
    steps,
    seed: SEED,
    labels: LABELS,
    tags: TAGS,
    torchThreads,
  },
  results,
};
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `training-${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
const markdownFile = join(root, 'BENCHMARKS.md');
const existing = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : '# Benchmarks\n';
writeFileSync(markdownFile, replaceTrainingSection(existing, renderTrainingSection(report)));
console.log(`wrote ${file} and the training section of BENCHMARKS.md`);

const mismatches = parameterMismatches(results);
if (mismatches.length > 0) {
  console.error(`parameter counts differ between tfjs and PyTorch:\n${mismatches.join('\n')}`);
  process.exitCode = 1;
}
