import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVocabulary } from '../../../src/fixtures/index.js';
import { loadHuggingFaceTask, type HuggingFaceTaskModel } from '../../../src/tasks/hf/index.js';
import { expectClose, expectMaasError, LONG_INPUT, useFixtureFolders } from './fixture-folders.js';

const fixtures = useFixtureFolders();
let model: HuggingFaceTaskModel<'fill-mask'>;

beforeAll(async () => {
  model = await loadHuggingFaceTask(fixtures.folders['fill-mask'], { task: 'fill-mask' });
});

afterAll(async () => {
  await model.dispose();
});

describe('fill-mask', () => {
  it('returns the top 5 by default', async () => {
    const vocabulary = buildVocabulary();
    const [predictions = []] = await model.predict(['房间很[MASK]净']);
    expect(predictions).toHaveLength(5);
    for (const [i, prediction] of predictions.entries()) {
      expect(prediction.token_str).toBe(vocabulary[prediction.token]);
      expect(prediction.sequence).toMatch(/^房 间 很.+净$/);
      const previous = predictions[i - 1];
      if (previous !== undefined) expect(prediction.score).toBeLessThanOrEqual(previous.score);
    }
  });

  it('honors top_k', async () => {
    const [predictions] = await model.predict(['the [MASK] is clean'], { top_k: 2 });
    expect(predictions).toHaveLength(2);
  });

  it('batched equals one by one', async () => {
    const inputs = ['[MASK]', `${LONG_INPUT} [MASK]`, '我[MASK]北京'];
    const batched = await model.predict(inputs, { top_k: 3 });
    for (const [i, input] of inputs.entries()) {
      expectClose(batched[i], (await model.predict([input], { top_k: 3 }))[0], 5);
    }
  });

  it('rejects an input without a mask', async () => {
    await expectMaasError(
      () => model.predict(['好[MASK]', '没有'], {}),
      'MAAS_ERR_REQUEST_INVALID',
      'inputs[1]',
    );
  });

  it('rejects an input with two masks', async () => {
    await expectMaasError(
      () => model.predict(['[MASK] and [MASK]']),
      'MAAS_ERR_REQUEST_INVALID',
      'inputs[0]',
    );
  });

  it.each([0, null, 'five'])('rejects top_k %j', async (topK) => {
    await expectMaasError(
      () => model.predict(['[MASK]'], { top_k: topK }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.top_k',
    );
  });
});
