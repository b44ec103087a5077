/**
 * `npm run bench`: the serving benchmark of issue 3 on the bundled sentiment-zh model.
 * Writes bench/results/<time>.json and the table in BENCHMARKS.md.
 * Options: --seconds N (per load level, default 10), --out DIR (default bench/results).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { readTokenizer } from '../src/tasks/text-classification.js';
import { measureEngine } from './engine.js';
import { loadTest, sequentialLatency, type LoadResult } from './load.js';
import { freePort, startProcess, stopProcess } from './processes.js';
import { renderMarkdown, type BenchmarkReport } from './report.js';
import { benchmarkTexts } from './texts.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : (args[index + 1] ?? fallback);
};
const seconds = Number(option('--seconds', '10'));
const outDir = option('--out', join(root, 'bench', 'results'));
const model = 'sentiment-zh';
const modelDir = join(root, 'models', model);
const texts = benchmarkTexts(512);
const bodies = texts.map((text) => JSON.stringify({ inputs: text }));
const concurrency = [1, 8, 32, 64];

console.log(`engine limit: session.run on pre-tokenized batches, ${seconds / 2} s per batch size`);
const tokenizer = await readTokenizer(modelDir);
const engine = await measureEngine(modelDir, tokenizer, texts, {
  batchSizes: [1, 8, 32, 64, 128],
  secondsPerSize: seconds / 2,
  intraOpThreads: 0,
});
for (const result of engine.results) {
  console.log(`  batch ${result.batchSize}: ${result.inputsPerSecond.toFixed(0)} inputs/s`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'maas-bench-'));
const port = await freePort();
const serverUrl = `http://127.0.0.1:${port}/v1/models/${model}/predict`;
const server = await startProcess(
  process.execPath,
  [join(root, 'bin', 'maas.js'), 'serve'],
  { MAAS_PORT: String(port), MAAS_DATA_DIR: dataDir, MAAS_LOG_LEVEL: 'warn' },
  `http://127.0.0.1:${port}/readyz`,
);
const serverResults: LoadResult[] = [];
let idle: { p50Ms: number; p99Ms: number; count: number };
try {
  await loadTest(serverUrl, bodies, 8, 2);
  idle = await sequentialLatency(serverUrl, bodies, 1000);
  console.log(`server, one request at a time: p50 ${idle.p50Ms.toFixed(3)} ms`);
  for (const connections of concurrency) {
    const result = await loadTest(serverUrl, bodies, connections, seconds);
    serverResults.push(result);
    console.log(
      `server, ${connections} clients: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
    );
  }
} finally {
  await stopProcess(server);
  rmSync(dataDir, { recursive: true, force: true });
}

const naivePort = await freePort();
const naiveUrl = `http://127.0.0.1:${naivePort}/`;
const naive = await startProcess(
  process.execPath,
  ['--import', 'tsx', join(root, 'bench', 'naive-server.ts'), modelDir, String(naivePort)],
  {},
  naiveUrl,
);
const naiveResults: LoadResult[] = [];
try {
  for (const connections of [1, 64]) {
    const result = await loadTest(naiveUrl, bodies, connections, seconds);
    naiveResults.push(result);
    console.log(
      `naive, ${connections} clients: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
    );
  }
} finally {
  await stopProcess(naive);
}

const at64 = serverResults.find((result) => result.connections === 64) as LoadResult;
const naiveAt64 = naiveResults.find((result) => result.connections === 64) as LoadResult;
const report: BenchmarkReport = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntime: ort.env.versions.node ?? 'unknown',
  },
  model: { name: model, runtime: 'onnx', architecture: 'fasttext' },
  settings: { secondsPerLevel: seconds, requestInputs: 1, texts: texts.length, server: 'defaults' },
  engine,
  idle,
  server: serverResults,
  naive: naiveResults,
  ratios: {
    serverAt64OverEngine: at64.requestsPerSecond / engine.best.inputsPerSecond,
    serverAt64OverNaiveAt64: at64.requestsPerSecond / naiveAt64.requestsPerSecond,
    idleP50MinusEngineSingleMs: idle.p50Ms - engine.singleRunP50Ms,
  },
};
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(root, 'BENCHMARKS.md'), renderMarkdown(report));
console.log(`wrote ${file} and BENCHMARKS.md`);
