import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_BERT_DIMENSIONS } from '../../../src/fixtures/index.js';
import {
  POOLING_METHODS,
  loadHuggingFaceTask,
  type HuggingFaceTaskModel,
} from '../../../src/tasks/hf/index.js';
import { expectClose, expectMaasError, LONG_INPUT, useFixtureFolders } from './fixture-folders.js';

const fixtures = useFixtureFolders();
let model: HuggingFaceTaskModel<'feature-extraction'>;
const HIDDEN = TINY_BERT_DIMENSIONS.hiddenSize;

beforeAll(async () => {
  model = await loadHuggingFaceTask(fixtures.folders['feature-extraction'], {
    task: 'feature-extraction',
  });
});

afterAll(async () => {
  await model.dispose();
});

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

describe('feature-extraction', () => {
  it('none returns one vector per token', async () => {
    const [matrix] = (await model.predict(['我在北京'], { pooling: 'none' })) as number[][][];
    expect(matrix).toHaveLength(6);
    for (const vector of matrix ?? []) expect(vector).toHaveLength(HIDDEN);
  });

  it('mean is the mean of the token vectors', async () => {
    const [matrix = []] = (await model.predict(['我在北京'], { pooling: 'none' })) as number[][][];
    const [mean] = (await model.predict(['我在北京'])) as number[][];
    const expected = Array.from(
      { length: HIDDEN },
      (_, i) => matrix.reduce((sum, vector) => sum + (vector[i] as number), 0) / matrix.length,
    );
    expectClose(mean, expected, 6);
  });

  it('cls is the first token vector', async () => {
    const [matrix = []] = (await model.predict(['我在北京'], { pooling: 'none' })) as number[][][];
    const [cls] = (await model.predict(['我在北京'], { pooling: 'cls' })) as number[][];
    expectClose(cls, matrix[0], 6);
  });

  it('normalize gives unit vectors', async () => {
    const [mean = []] = (await model.predict(['good'], { normalize: true })) as number[][];
    expect(norm(mean)).toBeCloseTo(1, 6);
    const [matrix = []] = (await model.predict(['good'], {
      pooling: 'none',
      normalize: true,
    })) as number[][][];
    for (const vector of matrix) expect(norm(vector)).toBeCloseTo(1, 6);
  });

  it.each(POOLING_METHODS)('%s: batched equals one by one', async (pooling) => {
    const inputs = ['好', LONG_INPUT, 'the room'];
    const batched = await model.predict(inputs, { pooling });
    for (const [i, input] of inputs.entries()) {
      expectClose(batched[i], (await model.predict([input], { pooling }))[0], 4);
    }
  });

  it('rejects an unknown pooling', async () => {
    await expectMaasError(
      () => model.predict(['x'], { pooling: 'max' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.pooling',
    );
  });

  it('rejects a non-boolean normalize', async () => {
    await expectMaasError(
      () => model.predict(['x'], { normalize: 'yes' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.normalize',
    );
  });
});
