import type { EngineLimit } from './engine.js';
import type { LoadResult } from './load.js';

/** Latency of requests sent one after another over one keep-alive `node:http` connection. */
export interface SequentialLatency {
  p50Ms: number;
  p99Ms: number;
  count: number;
}

export interface TargetReport {
  model: string;
  description: string;
  engine: EngineLimit;
  /** One client sending one request at a time to the server. */
  idle: SequentialLatency;
  /** The same for the naive baseline. */
  naiveIdle: SequentialLatency;
  server: LoadResult[];
  naive: LoadResult[];
  ratios: {
    serverAt64OverEngine: number;
    serverAt64OverNaiveAt64: number;
    idleP50MinusEngineSingleMs: number;
  };
}

export interface BenchmarkReport {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; onnxruntime: string };
  settings: Record<string, string | number>;
  targets: TargetReport[];
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

function loadRows(label: string, results: readonly LoadResult[]): string[] {
  return results.map(
    (r) =>
      `| ${label} | ${r.connections} | ${fixed(r.requestsPerSecond)} | ${r.p50Ms} | ${r.p99Ms} | ${r.failures} |`,
  );
}

function renderTarget(target: TargetReport): string {
  const { engine, ratios } = target;
  return `## ${target.model}

${target.description}.

Engine limit: \`session.run\` called directly on batches tokenized beforehand.

| batch size | inputs/s |
| --- | --- |
${engine.results.map((r) => `| ${r.batchSize} | ${fixed(r.inputsPerSecond)} |`).join('\n')}

One input alone: p50 ${fixed(engine.singleRunP50Ms, 3)} ms per \`session.run\`. Tokenizing one text
alone (no model) runs ${fixed(engine.tokenizerInputsPerSecond)} times per second on one thread.

| target | clients | requests/s | p50 ms | p99 ms | failures |
| --- | --- | --- | --- | --- | --- |
${[...loadRows('server', target.server), ...loadRows('naive', target.naive)].join('\n')}

One request at a time, ${target.idle.count} requests sent with \`node:http\` over one keep-alive connection (the client's own time
included): server p50 ${fixed(target.idle.p50Ms, 3)} ms, naive baseline p50
${fixed(target.naiveIdle.p50Ms, 3)} ms.

| ratio | value | target |
| --- | --- | --- |
| server at 64 clients / engine limit | ${fixed(ratios.serverAt64OverEngine, 3)} | ≥ 0.8 |
| server at 64 clients / naive at 64 clients | ${fixed(ratios.serverAt64OverNaiveAt64, 2)} | ≥ 3 |
| idle p50 − engine single run p50 | ${fixed(ratios.idleP50MinusEngineSingleMs, 2)} ms | ≤ 1 ms |
`;
}

/** Renders the BENCHMARKS.md page of one run. */
export function renderMarkdown(report: BenchmarkReport): string {
  const { machine } = report;
  return `# Benchmarks

Written by \`npm run bench\` on ${report.date}. Numbers from one run on a shared machine: compare
ratios within the run, not absolute figures across runs. The JSON of every run is in
\`bench/results/\`.

- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node.js ${machine.node}, ONNX Runtime ${machine.onnxruntime}.
- Load: ${report.settings['texts']} hotel reviews of 2 to about 400 characters, one text per request, sent
  in turn by autocannon over loopback HTTP/1.1 with keep-alive, ${report.settings['secondsPerLevel']} s per level. The server
  runs with its default settings in its own process; load generator, server and engine share
  the same cores.
- Naive baseline: a plain \`node:http\` handler that runs each request alone, one at a time
  (the model's own tokenizer and \`session.run\` for sentiment-zh, a @huggingface/transformers
  pipeline for the BERT fixture).

${report.targets.map(renderTarget).join('\n')}`;
}

const GENERATION_MARK = '<!-- generation benchmark';

function generationMarkers(key: string): { start: string; end: string } {
  return {
    start: `${GENERATION_MARK} ${key}: written by npm run bench:generation -->`,
    end: `<!-- end of generation benchmark ${key} -->`,
  };
}

/**
 * Puts `section` between the generation markers for `key` in `markdown`, replacing the
 * section there or appending one, so that `npm run bench` and each size of
 * `npm run bench:generation` rewrite only their own part.
 */
export function replaceGenerationSection(markdown: string, key: string, section: string): string {
  const { start, end } = generationMarkers(key);
  const marked = `${start}\n\n${section}\n\n${end}`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from !== -1 && to > from) {
    return markdown.slice(0, from) + marked + markdown.slice(to + end.length);
  }
  return `${markdown.trimEnd()}\n\n${marked}\n`;
}

const TRAINING_START = '<!-- training benchmark: written by npm run bench:training -->';
const TRAINING_END = '<!-- end of training benchmark -->';

/**
 * Returns the part of a BENCHMARKS.md text that `npm run bench:generation` and
 * `npm run bench:training` wrote, from the first of their start markers to the last of their
 * end markers, or ''. `npm run bench` rewrites the page and keeps this part.
 */
export function benchmarkSections(markdown: string): string {
  const starts = [markdown.indexOf(GENERATION_MARK), markdown.indexOf(TRAINING_START)].filter(
    (index) => index !== -1,
  );
  const ends = [
    markdown.lastIndexOf('<!-- end of generation benchmark'),
    markdown.lastIndexOf(TRAINING_END),
  ].filter((index) => index !== -1);
  if (starts.length === 0 || ends.length === 0) return '';
  const start = Math.min(...starts);
  const end = Math.max(...ends);
  if (end < start) return '';
  return markdown.slice(start, markdown.indexOf('-->', end) + 3);
}

/**
 * Puts `section` between the training markers in `markdown`, replacing the section there or
 * appending one, so that `npm run bench:training` rewrites only its own part.
 */
export function replaceTrainingSection(markdown: string, section: string): string {
  const marked = `${TRAINING_START}\n\n${section}\n\n${TRAINING_END}`;
  const from = markdown.indexOf(TRAINING_START);
  const to = markdown.indexOf(TRAINING_END);
  if (from !== -1 && to > from) {
    return markdown.slice(0, from) + marked + markdown.slice(to + TRAINING_END.length);
  }
  return `${markdown.trimEnd()}\n\n${marked}\n`;
}
