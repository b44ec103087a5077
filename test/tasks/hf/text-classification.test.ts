import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHuggingFaceTask, type HuggingFaceTaskModel } from '../../../src/tasks/hf/index.js';
import { expectClose, expectMaasError, LONG_INPUT, useFixtureFolders } from './fixture-folders.js';

const fixtures = useFixtureFolders();
let model: HuggingFaceTaskModel<'text-classification'>;

beforeAll(async () => {
  model = await loadHuggingFaceTask(fixtures.folders['text-classification'], {
    task: 'text-classification',
  });
});

afterAll(async () => {
  await model.dispose();
});

describe('text-classification', () => {
  it('returns the top label by default', async () => {
    const [result] = await model.predict(['房间很干净']);
    expect(result).toHaveLength(1);
    expect(['negative', 'positive']).toContain(result?.[0]?.label);
  });

  it('returns every label sorted for top_k null', async () => {
    const [result = []] = await model.predict(['房间很干净'], { top_k: null });
    expect(result.map((item) => item.label).sort()).toEqual(['negative', 'positive']);
    expect(result[0]?.score).toBeGreaterThanOrEqual(result[1]?.score ?? 1);
    expect(result.reduce((sum, item) => sum + item.score, 0)).toBeCloseTo(1, 6);
  });

  it('caps top_k at the label count', async () => {
    const [result] = await model.predict(['good'], { top_k: 10 });
    expect(result).toHaveLength(2);
  });

  it('applies sigmoid on request', async () => {
    const [softmaxed = []] = await model.predict(['good'], { top_k: null });
    const [raw = []] = await model.predict(['good'], { top_k: null, function_to_apply: 'none' });
    const [sigmoided = []] = await model.predict(['good'], {
      top_k: null,
      function_to_apply: 'sigmoid',
    });
    const logit = (label: string) => raw.find((item) => item.label === label)?.score ?? NaN;
    for (const item of sigmoided) {
      expect(item.score).toBeCloseTo(1 / (1 + Math.exp(-logit(item.label))), 6);
    }
    const difference = logit('positive') - logit('negative');
    const positive = softmaxed.find((item) => item.label === 'positive')?.score;
    expect(positive).toBeCloseTo(1 / (1 + Math.exp(-difference)), 6);
  });

  it('batched equals one by one', async () => {
    const inputs = ['好', LONG_INPUT, 'the room is clean'];
    const batched = await model.predict(inputs, { top_k: null });
    for (const [i, input] of inputs.entries()) {
      expectClose(batched[i], (await model.predict([input], { top_k: null }))[0], 5);
    }
  });

  it('returns nothing for no inputs', async () => {
    expect(await model.predict([])).toEqual([]);
  });

  it.each([0, -1, 1.5, '2'])('rejects top_k %j', async (topK) => {
    await expectMaasError(
      () => model.predict(['x'], { top_k: topK }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.top_k',
    );
  });

  it('rejects an unknown function_to_apply', async () => {
    await expectMaasError(
      () => model.predict(['x'], { function_to_apply: 'tanh' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.function_to_apply',
    );
  });

  it('rejects an unknown parameter', async () => {
    await expectMaasError(
      () => model.predict(['x'], { topK: 2 }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.topK',
    );
  });

  it('rejects a non-string input', async () => {
    await expectMaasError(
      () => model.predict(['x', 3 as unknown as string]),
      'MAAS_ERR_REQUEST_INVALID',
      'inputs[1]',
    );
  });
});
