import { MEDIAN_LENGTH_SHARE } from './training-data.js';

/** Step durations of one side, and the throughput derived from their median. */
export interface StepTiming {
  stepSeconds: number[];
  medianStepSeconds: number;
  sequencesPerSecond: number;
}

/** PyTorch measured with one thread count. */
export interface TorchRun {
  threads: number;
  timing: StepTiming;
}

export interface ArchitectureResult {
  task: 'text-classification' | 'token-classification';
  architecture: string;
  /** Trainable weights: tfjs's and PyTorch's, null where PyTorch did not run. */
  parameters: { tfjs: number; torch: number | null };
  tfjs: StepTiming;
  /** One entry per thread count; empty where PyTorch did not run. */
  torch: TorchRun[];
  /** Error message of a PyTorch run that failed on this architecture. */
  torchError?: string;
}

export type TorchStatus =
  { found: true; python: string; version: string } | { found: false; reason: string };

export interface TrainingBenchmarkReport {
  date: string;
  /** Wall-clock time of the run, PyTorch's start-up included. */
  durationSeconds: number;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    tfjs: string;
    tfjsBackend: string;
    tfjsThreads: number;
    /** 1-minute load average when the run started and when it ended. */
    loadAverage: { start: number; end: number };
  };
  torch: TorchStatus;
  settings: {
    batchSize: number;
    sequenceLength: number;
    warmupSteps: number;
    steps: number;
    seed: number;
    /** Labels of the classifiers and tags of the taggers. */
    labels: number;
    tags: number;
    torchThreads: number[];
  };
  results: ArchitectureResult[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Summarizes the durations of timed steps of `batchSize` sequences. The median step is the
 * measure because load from other processes only ever lengthens a step.
 */
export function summarizeSteps(stepSeconds: readonly number[], batchSize: number): StepTiming {
  const medianStepSeconds = median(stepSeconds);
  return {
    stepSeconds: [...stepSeconds],
    medianStepSeconds,
    sequencesPerSecond: batchSize / medianStepSeconds,
  };
}

/** Returns one message per architecture whose tfjs and PyTorch parameter counts differ. */
export function parameterMismatches(results: readonly ArchitectureResult[]): string[] {
  return results
    .filter(({ parameters }) => parameters.torch !== null && parameters.torch !== parameters.tfjs)
    .map(
      ({ task, architecture, parameters }) =>
        `${task} ${architecture}: tfjs has ${parameters.tfjs} trainable parameters, PyTorch ${parameters.torch}`,
    );
}

const TASK_LABELS: Record<ArchitectureResult['task'], string> = {
  'text-classification': 'classifier',
  'token-classification': 'tagger',
};

function count(value: number, noun: string): string {
  return value === 1 ? `1 ${noun}` : `${value} ${noun}s`;
}

function threadsLabel(threads: number): string {
  return count(threads, 'thread');
}

function torchCells(result: ArchitectureResult, threads: number, status: TorchStatus): string[] {
  if (!status.found) return ['not found', '–'];
  const run = result.torch.find((entry) => entry.threads === threads);
  if (run === undefined) return ['failed', '–'];
  const ratio = result.tfjs.sequencesPerSecond / run.timing.sequencesPerSecond;
  return [run.timing.sequencesPerSecond.toFixed(1), `${ratio.toFixed(2)}×`];
}

function parameterCells(result: ArchitectureResult): string[] {
  const { tfjs, torch } = result.parameters;
  if (torch === null) return [tfjs.toLocaleString('en-US'), '–'];
  const mark = torch === tfjs ? '' : ' (differs)';
  return [tfjs.toLocaleString('en-US'), `${torch.toLocaleString('en-US')}${mark}`];
}

/**
 * Describes the load during the run. The load average at the start counts other work only,
 * because the benchmark has just started, so 1 or more means another process kept a core busy.
 */
function loadSentence(load: { start: number; end: number }, cores: number): string {
  const figures = `1-minute load average ${load.start.toFixed(1)} at the start and ${load.end.toFixed(1)} at the end, on ${cores} cores`;
  return load.start >= 1
    ? `The machine was loaded: other processes shared its cores during the run (${figures}).`
    : `Few other processes ran (${figures}).`;
}

/** Renders the training section of BENCHMARKS.md, without its markers. */
export function renderTrainingSection(report: TrainingBenchmarkReport): string {
  const { machine, settings, torch } = report;
  const threads = settings.torchThreads;
  const header = [
    'model',
    'architecture',
    'parameters, tfjs',
    'parameters, PyTorch',
    'tfjs sequences/s',
    ...threads.flatMap((count) => [
      `PyTorch, ${threadsLabel(count)}, sequences/s`,
      `tfjs / PyTorch, ${threadsLabel(count)}`,
    ]),
  ];
  const rows = report.results.map((result) => [
    TASK_LABELS[result.task],
    `\`${result.architecture}\``,
    ...parameterCells(result),
    result.tfjs.sequencesPerSecond.toFixed(1),
    ...threads.flatMap((count) => torchCells(result, count, torch)),
  ]);
  const table = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];

  const torchLine = torch.found
    ? `PyTorch ${torch.version} (\`${torch.python}\`), ${threads.map(threadsLabel).join(' and ')} (\`torch.set_num_threads\`).`
    : `PyTorch was not found, so the PyTorch columns are empty: ${torch.reason}`;
  const failures = report.results
    .filter((result) => result.torchError !== undefined)
    .map((result) => `- PyTorch failed on ${result.architecture}: ${result.torchError}`);
  const load = machine.loadAverage;
  return [
    '## Training throughput',
    '',
    `Written by \`npm run bench:training\` on ${report.date}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node.js ${machine.node}, tfjs ${machine.tfjs} on the ${machine.tfjsBackend} backend with ${threadsLabel(machine.tfjsThreads)}. ${torchLine}`,
    '',
    `Each architecture is built by the project's own model builder at its default hyperparameters and trained with the project's own training step (Adam, gradient clipping, loss read back after every step), then the same layers in PyTorch. Both sides train on the same synthetic batches: ${settings.batchSize} sequences of ${settings.sequenceLength} steps, random token ids (seed ${settings.seed}) in rows of log-normal lengths with a median of ${MEDIAN_LENGTH_SHARE * 100}% of the steps, padded at the end, ${settings.labels} labels for classifiers and ${settings.tags} tags for taggers. Each side runs ${count(settings.warmupSteps, 'warm-up step')}, then ${count(settings.steps, 'timed step')}, and its sequences per second is the batch size over the median step. A ratio below 1 means tfjs trains slower than PyTorch. PyTorch's recurrent layers read packed sequences and so skip padded steps, which tfjs computes. \`bench/training_torch.py\` lists the other differences.`,
    '',
    `${loadSentence(load, machine.cores)} Compare the ratios within a row, not absolute figures across runs. The whole run took ${Math.round(report.durationSeconds)} s.`,
    '',
    ...table,
    ...(failures.length > 0 ? ['', ...failures] : []),
  ].join('\n');
}
