/**
 * The naive baseline: a plain `node:http` handler that tokenizes one request and calls
 * `session.run` on it, one request at a time, with no batching and no framework.
 * Usage: tsx bench/naive-server.ts <model folder> <port>
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readTokenizer } from '../src/tasks/text-classification.js';
import { serveOneAtATime } from './serial-server.js';

const [modelDir, portText] = process.argv.slice(2);
if (modelDir === undefined || portText === undefined) {
  console.error('usage: tsx bench/naive-server.ts <model folder> <port>');
  process.exit(2);
}
const tokenizer = await readTokenizer(modelDir);
const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), {
  interOpNumThreads: 1,
  executionMode: 'sequential',
});
const labels = ['negative', 'positive'];

async function classify(text: string): Promise<{ label: string; score: number }[]> {
  const batch = tokenizer.encodeBatch([text]);
  const dims = [1, batch.sequenceLength];
  const output = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(batch.ids, BigInt), dims),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(batch.attentionMask, BigInt), dims),
  });
  const scores = output['probabilities']?.data as Float32Array;
  return labels
    .map((label, index) => ({ label, score: scores[index] as number }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 1);
}

serveOneAtATime(Number(portText), classify);
