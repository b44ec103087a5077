import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/runtimes/index.js';
import { GraphBuilder } from '../../src/training/onnx-export/graph-builder.js';

/** Builds a graph `scores = Cast(ids) + Cast(mask)` of shape `[batch, sequence]`. */
function sumGraph(inputName: string): Uint8Array {
  const graph = new GraphBuilder();
  graph.input(inputName, 'int64', ['batch', 'sequence']);
  graph.input('attention_mask', 'int64', ['batch', 'sequence']);
  const sum = graph.op('Add', [
    graph.op('Cast', [inputName], { to: 1 }),
    graph.op('Cast', ['attention_mask'], { to: 1 }),
  ]);
  graph.node('Identity', [sum], {}, ['scores']);
  graph.output('scores', 'float32', ['batch', 3]);
  return graph.encode('sum');
}

describe('onnx runtime', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'maas-onnx-runtime-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('feeds int64 ids and attention mask and returns float32 rows', async () => {
    writeFileSync(join(dir, 'model.onnx'), sumGraph('input_ids'));
    const graph = await loadGraph('onnx', dir, {
      onnx: { intraOpThreads: 1, graphOptimizationLevel: 'basic' },
    });
    expect(graph.runtime).toBe('onnx');
    expect(graph.outputSize).toBe(3);
    const scores = await graph.run({
      ids: Int32Array.from([5, 70_000, 0, 7, 0, 0]),
      attentionMask: Int32Array.from([1, 1, 0, 1, 0, 0]),
      batchSize: 2,
      sequenceLength: 3,
    });
    expect(Array.from(scores)).toEqual([6, 70_001, 0, 8, 0, 0]);
    graph.dispose();
  });

  it('rejects a folder without model.onnx', async () => {
    await expect(loadGraph('onnx', dir)).rejects.toMatchObject({
      code: 'MAAS_ERR_ARTIFACT_INVALID',
      message: expect.stringContaining('model.onnx is missing'),
    });
  });

  it('rejects a graph without input_ids, naming its inputs', async () => {
    writeFileSync(join(dir, 'model.onnx'), sumGraph('tokens'));
    await expect(loadGraph('onnx', dir)).rejects.toMatchObject({
      code: 'MAAS_ERR_ARTIFACT_INVALID',
      message: expect.stringContaining('its inputs are tokens, attention_mask'),
    });
  });

  it('rejects an unknown runtime, listing the supported ones', async () => {
    await expect(loadGraph('torch', dir)).rejects.toMatchObject({
      code: 'MAAS_ERR_TASK_UNSUPPORTED',
      message: expect.stringContaining('supported runtimes: onnx, tfjs'),
    });
  });
});
