// Evaluates a tagger folder (model.onnx, tagger.json, model-card.json) on a CoNLL file that
// training never read, through the serving pipeline, and writes the span report into the
// model card as `metrics.test`.
// Usage: tsx scripts/evaluate-tagger.ts <model folder> <file.conll> [--tag-column N]
//          [--token-column N] [--test-name TEXT] [--reproduce COMMAND]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOnnxGraph } from '../src/runtimes/onnx/session.js';
import { readTaggerFile } from '../src/tasks/tagger-file.js';
import { TokenClassificationPipeline } from '../src/tasks/token-classification.js';
import { parseConllText } from '../src/training/datasets/conll.js';
import { formatSpanReport } from '../src/training/evaluation/span-report.js';
import { evaluateTaggerPipeline } from '../src/training/evaluation/tagger-pipeline.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'tag-column': { type: 'string' },
    'token-column': { type: 'string' },
    'test-name': { type: 'string' },
    reproduce: { type: 'string' },
  },
});
const [folder, file] = positionals;
if (folder === undefined || file === undefined) {
  console.error(
    'usage: tsx scripts/evaluate-tagger.ts <model folder> <file.conll> [--tag-column N] [--token-column N] [--test-name TEXT] [--reproduce COMMAND]',
  );
  process.exit(2);
}

const bytes = readFileSync(file);
const dataset = parseConllText(bytes.toString('utf8'), {
  ...(values['tag-column'] === undefined ? {} : { tagColumn: Number(values['tag-column']) }),
  ...(values['token-column'] === undefined ? {} : { tokenColumn: Number(values['token-column']) }),
});
const graph = await loadOnnxGraph(folder, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
const pipeline = new TokenClassificationPipeline(await readTaggerFile(folder), graph);
const report = await evaluateTaggerPipeline(pipeline, dataset.sentences);
pipeline.dispose();

const cardPath = join(folder, 'model-card.json');
const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown> & {
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
};
card.training['test_data'] = {
  name: values['test-name'] ?? basename(file),
  file: basename(file),
  sha256: createHash('sha256').update(bytes).digest('hex'),
  sentences: dataset.stats.sentences,
  tokens: dataset.stats.tokens,
};
card.metrics['test'] = report;
if (values.reproduce !== undefined) card['reproduce'] = values.reproduce;
writeFileSync(cardPath, JSON.stringify(card, null, 2) + '\n');
console.log(`${basename(file)}\n${formatSpanReport(report)}`);
console.log(`wrote ${cardPath}`);
