import type { EngineLimit } from './engine.js';
import type { LoadResult } from './load.js';

export interface BenchmarkReport {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; onnxruntime: string };
  model: { name: string; runtime: string; architecture: string };
  settings: Record<string, string | number>;
  engine: EngineLimit;
  /** One client sending one request at a time to the server, timed per request. */
  idle: { p50Ms: number; p99Ms: number; count: number };
  server: LoadResult[];
  naive: LoadResult[];
  ratios: {
    serverAt64OverEngine: number;
    serverAt64OverNaiveAt64: number;
    idleP50MinusEngineSingleMs: number;
  };
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

function loadRows(label: string, results: readonly LoadResult[]): string[] {
  return results.map(
    (r) =>
      `| ${label} | ${r.connections} | ${fixed(r.requestsPerSecond)} | ${r.p50Ms} | ${r.p99Ms} | ${r.failures} |`,
  );
}

/** Renders the BENCHMARKS.md page of one run. */
export function renderMarkdown(report: BenchmarkReport): string {
  const { machine, engine, ratios } = report;
  return `# Benchmarks

Written by \`npm run bench\` on ${report.date}. Numbers from one run on a shared machine: compare
ratios within the run, not absolute figures across runs. The JSON of every run is in
\`bench/results/\`.

- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node.js ${machine.node}, ONNX Runtime ${machine.onnxruntime}.
- Model: bundled \`${report.model.name}\` (${report.model.architecture}) on the \`${report.model.runtime}\` runtime.
- Load: ${report.settings['texts']} hotel reviews of 2 to about 400 characters, one text per request, sent
  in turn by autocannon over loopback HTTP/1.1 with keep-alive, ${report.settings['secondsPerLevel']} s per level. The server
  runs with its default settings in its own process.

## Engine limit

\`session.run\` called directly on batches tokenized beforehand: the most the engine can do.

| batch size | inputs/s |
| --- | --- |
${engine.results.map((r) => `| ${r.batchSize} | ${fixed(r.inputsPerSecond)} |`).join('\n')}

One input alone: p50 ${fixed(engine.singleRunP50Ms, 3)} ms per \`session.run\`. For comparison, the
tokenizer (normalization, \`Intl.Segmenter\`, n-gram features) encodes
${fixed(engine.tokenizerInputsPerSecond)} of these texts per second on one thread.

## Server and naive baseline

The naive baseline is a plain \`node:http\` handler that tokenizes each request and runs it
alone, one request at a time.

| target | clients | requests/s | p50 ms | p99 ms | failures |
| --- | --- | --- | --- | --- | --- |
${[...loadRows('server', report.server), ...loadRows('naive', report.naive)].join('\n')}

One request at a time (idle server, ${report.idle.count} requests timed with \`performance.now()\`
around \`fetch\`, so the client's own time is included): p50 ${fixed(report.idle.p50Ms, 3)} ms,
p99 ${fixed(report.idle.p99Ms, 3)} ms.

## Ratios

| ratio | value | target |
| --- | --- | --- |
| server at 64 clients / engine limit | ${fixed(ratios.serverAt64OverEngine, 3)} | ≥ 0.8 |
| server at 64 clients / naive at 64 clients | ${fixed(ratios.serverAt64OverNaiveAt64, 2)} | ≥ 3 |
| idle p50 − engine single run p50 | ${fixed(ratios.idleP50MinusEngineSingleMs, 2)} ms | ≤ 1 ms |
`;
}
