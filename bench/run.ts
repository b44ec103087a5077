/**
 * `npm run bench`: the serving benchmark on the bundled sentiment-zh model and on two
 * BERT-layout fixtures, a tiny one and a small one. Writes bench/results/<time>.json and the tables in BENCHMARKS.md.
 * Options: --seconds N (per load level, default 10), --out DIR (default bench/results).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { TINY_BERT_DIMENSIONS, writeHuggingFaceFixture } from '../src/fixtures/index.js';
import { readTokenizer } from '../src/tasks/text-classification.js';
import { measureEngine, type FeedBuilder } from './engine.js';
import { huggingFaceFeeds, inHouseFeeds } from './feeds.js';
import { loadTest, sequentialLatency, type LoadResult } from './load.js';
import { freePort, startProcess, stopProcess } from './processes.js';
import {
  benchmarkSections,
  renderMarkdown,
  type BenchmarkReport,
  type TargetReport,
} from './report.js';
import { benchmarkTexts } from './texts.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : (args[index + 1] ?? fallback);
};
const seconds = Number(option('--seconds', '10'));
const outDir = option('--out', join(root, 'bench', 'results'));
const texts = benchmarkTexts(512);
const bodies = texts.map((text) => JSON.stringify({ inputs: text }));
const maas = join(root, 'bin', 'maas.js');

interface Target {
  name: string;
  description: string;
  modelFile: string;
  feeds: FeedBuilder;
  /** Registers the model in `dataDir` before the server starts, if it is not bundled. */
  register?: (dataDir: string) => void;
  naiveScript: string;
  naiveArgument: string;
}

async function runTarget(target: Target): Promise<TargetReport> {
  console.log(`\n${target.name}: engine limit, ${seconds / 2} s per batch size`);
  const engine = await measureEngine(target.modelFile, target.feeds, texts, {
    batchSizes: [1, 8, 32, 64, 128],
    secondsPerSize: seconds / 2,
    intraOpThreads: 0,
  });
  for (const result of engine.results) {
    console.log(`  batch ${result.batchSize}: ${result.inputsPerSecond.toFixed(0)} inputs/s`);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'maas-bench-'));
  target.register?.(dataDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/v1/models/${target.name}/predict`;
  const server = await startProcess(
    process.execPath,
    [maas, 'serve'],
    { MAAS_PORT: String(port), MAAS_DATA_DIR: dataDir, MAAS_LOG_LEVEL: 'warn' },
    `http://127.0.0.1:${port}/readyz`,
  );
  const serverResults: LoadResult[] = [];
  let idle: TargetReport['idle'];
  try {
    await loadTest(url, bodies, 8, 2);
    idle = await sequentialLatency(url, bodies, 1000);
    console.log(`  server, one request at a time: p50 ${idle.p50Ms.toFixed(3)} ms`);
    for (const connections of [1, 8, 32, 64]) {
      const result = await loadTest(url, bodies, connections, seconds);
      serverResults.push(result);
      console.log(`  server, ${connections} clients: ${describe(result)}`);
    }
  } finally {
    await stopProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const naivePort = await freePort();
  const naiveUrl = `http://127.0.0.1:${naivePort}/`;
  const naive = await startProcess(
    process.execPath,
    ['--import', 'tsx', target.naiveScript, target.naiveArgument, String(naivePort)],
    {},
    naiveUrl,
  );
  const naiveResults: LoadResult[] = [];
  let naiveIdle: TargetReport['idle'];
  try {
    naiveIdle = await sequentialLatency(naiveUrl, bodies, 1000);
    for (const connections of [1, 64]) {
      const result = await loadTest(naiveUrl, bodies, connections, seconds);
      naiveResults.push(result);
      console.log(`  naive, ${connections} clients: ${describe(result)}`);
    }
  } finally {
    await stopProcess(naive);
  }

  const at64 = serverResults.at(-1) as LoadResult;
  const naiveAt64 = naiveResults.at(-1) as LoadResult;
  return {
    model: target.name,
    description: target.description,
    engine,
    idle,
    naiveIdle,
    server: serverResults,
    naive: naiveResults,
    ratios: {
      serverAt64OverEngine: at64.requestsPerSecond / engine.best.inputsPerSecond,
      serverAt64OverNaiveAt64: at64.requestsPerSecond / naiveAt64.requestsPerSecond,
      idleP50MinusEngineSingleMs: idle.p50Ms - engine.singleRunP50Ms,
    },
  };
}

function describe(result: LoadResult): string {
  return `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, failures ${result.failures}`;
}

const sentimentDir = join(root, 'models', 'sentiment-zh');
const fixtureDir = mkdtempSync(join(tmpdir(), 'maas-bench-fixture-'));
const bertDir = join(fixtureDir, 'tiny-bert');
await writeHuggingFaceFixture(bertDir, 'text-classification', { seed: 1 });
// About 3.4 million weights: costly enough per input that batching can pay off.
const smallBertDir = join(fixtureDir, 'small-bert');
await writeHuggingFaceFixture(smallBertDir, 'text-classification', {
  seed: 1,
  dimensions: {
    ...TINY_BERT_DIMENSIONS,
    hiddenSize: 256,
    layerCount: 4,
    headCount: 4,
    intermediateSize: 1024,
  },
});
const huggingFaceTarget = (name: string, dir: string, description: string): Target => ({
  name,
  description,
  modelFile: join(dir, 'onnx', 'model.onnx'),
  feeds: undefined as unknown as FeedBuilder,
  register: (dataDir) => {
    execFileSync(process.execPath, [maas, 'models', 'import', dir, '--name', name], {
      env: { ...process.env, MAAS_DATA_DIR: dataDir, MAAS_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
  },
  naiveScript: join(root, 'bench', 'naive-hf-server.ts'),
  naiveArgument: dir,
});
const targets: Target[] = [
  {
    name: 'sentiment-zh',
    description: 'bundled sentiment-zh (fastText-style bag of n-grams), runtime onnx',
    modelFile: join(sentimentDir, 'model.onnx'),
    feeds: inHouseFeeds(await readTokenizer(sentimentDir)),
    naiveScript: join(root, 'bench', 'naive-server.ts'),
    naiveArgument: sentimentDir,
  },
  {
    ...huggingFaceTarget(
      'tiny-bert',
      bertDir,
      'BERT-layout fixture from npm run fixtures (2 layers, width 32, random weights), text-classification',
    ),
    feeds: await huggingFaceFeeds(bertDir),
  },
  {
    ...huggingFaceTarget(
      'small-bert',
      smallBertDir,
      'BERT-layout fixture with 4 layers, width 256, 4 heads and feed-forward width 1024 (about 3.4 million random weights), text-classification',
    ),
    feeds: await huggingFaceFeeds(smallBertDir),
  },
];

const reports: TargetReport[] = [];
try {
  for (const target of targets) reports.push(await runTarget(target));
} finally {
  rmSync(fixtureDir, { recursive: true, force: true });
}

const report: BenchmarkReport = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntime: ort.env.versions.node ?? 'unknown',
  },
  settings: { secondsPerLevel: seconds, requestInputs: 1, texts: texts.length, server: 'defaults' },
  targets: reports,
};
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
// The generation and training benchmarks write their own sections; keep them.
const markdownFile = join(root, 'BENCHMARKS.md');
const previous = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : '';
const kept = benchmarkSections(previous);
writeFileSync(
  markdownFile,
  kept === '' ? renderMarkdown(report) : `${renderMarkdown(report).trimEnd()}\n\n${kept}\n`,
);
console.log(`wrote ${file} and BENCHMARKS.md`);
