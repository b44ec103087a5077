import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NLI_LABELS } from '../../../src/fixtures/index.js';
import { loadHuggingFaceTask, type HuggingFaceTaskModel } from '../../../src/tasks/hf/index.js';
import { expectClose, expectMaasError, LONG_INPUT, useFixtureFolders } from './fixture-folders.js';

const fixtures = useFixtureFolders();
let model: HuggingFaceTaskModel<'zero-shot-classification'>;
let reference: { tokenizer: PreTrainedTokenizer; model: PreTrainedModel };

const LABELS = ['hotel', 'food', 'travel'];

beforeAll(async () => {
  const dir = fixtures.folders['zero-shot-classification'];
  model = await loadHuggingFaceTask(dir, { task: 'zero-shot-classification' });
  reference = {
    tokenizer: await AutoTokenizer.from_pretrained(dir, { local_files_only: true }),
    model: await AutoModelForSequenceClassification.from_pretrained(dir, {
      local_files_only: true,
      dtype: 'fp32',
    }),
  };
});

afterAll(async () => {
  await Promise.all([model.dispose(), reference.model.dispose()]);
});

describe('zero-shot-classification', () => {
  it('scores every label, sorted, summing to 1', async () => {
    const [result] = await model.predict(['房间很干净'], { candidate_labels: LABELS });
    expect(result?.sequence).toBe('房间很干净');
    expect([...(result?.labels ?? [])].sort()).toEqual([...LABELS].sort());
    const scores = result?.scores ?? [];
    expect(scores.reduce((sum, score) => sum + score, 0)).toBeCloseTo(1, 6);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('multi_label scores entailment against contradiction', async () => {
    const template = 'It is about {}.';
    const [result] = await model.predict(['good food'], {
      candidate_labels: LABELS,
      hypothesis_template: template,
      multi_label: true,
    });
    // Recompute each label from the raw NLI logits of the same premise and hypothesis pair.
    for (const [i, label] of (result?.labels ?? []).entries()) {
      const encoded = await nliLogits('good food', template.replace('{}', label));
      const expected = 1 / (1 + Math.exp(encoded.contradiction - encoded.entailment));
      expect(result?.scores[i]).toBeCloseTo(expected, 5);
    }
  });

  it('one label is scored like multi_label', async () => {
    const [single] = await model.predict(['good food'], { candidate_labels: ['food'] });
    const [multi] = await model.predict(['good food'], {
      candidate_labels: ['food'],
      multi_label: true,
    });
    expect(single?.scores[0]).toBeCloseTo(multi?.scores[0] ?? NaN, 10);
    expect(single?.scores[0]).toBeLessThan(1);
  });

  it('accepts comma-separated candidate_labels', async () => {
    const [result] = await model.predict(['x'], { candidate_labels: 'hotel, food' });
    expect([...(result?.labels ?? [])].sort()).toEqual(['food', 'hotel']);
  });

  it('batched equals one by one', async () => {
    const inputs = ['好', LONG_INPUT, 'the room'];
    const parameters = { candidate_labels: LABELS };
    const batched = await model.predict(inputs, parameters);
    for (const [i, input] of inputs.entries()) {
      expectClose(batched[i], (await model.predict([input], parameters))[0], 5);
    }
  });

  it('rejects missing candidate_labels', async () => {
    await expectMaasError(
      () => model.predict(['x']),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.candidate_labels',
    );
  });

  it('rejects empty candidate_labels', async () => {
    await expectMaasError(
      () => model.predict(['x'], { candidate_labels: [] }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.candidate_labels',
    );
  });

  it('rejects a non-string label', async () => {
    await expectMaasError(
      () => model.predict(['x'], { candidate_labels: ['a', 2] }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.candidate_labels[1]',
    );
  });

  it('rejects a template without {}', async () => {
    await expectMaasError(
      () => model.predict(['x'], { candidate_labels: LABELS, hypothesis_template: 'About it.' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.hypothesis_template',
    );
  });

  it('rejects a non-boolean multi_label', async () => {
    await expectMaasError(
      () => model.predict(['x'], { candidate_labels: LABELS, multi_label: 'true' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.multi_label',
    );
  });
});

/** Raw entailment and contradiction logits of one pair, run through transformers.js directly. */
async function nliLogits(premise: string, hypothesis: string) {
  const inputs = reference.tokenizer(premise, { text_pair: hypothesis });
  const { logits } = (await reference.model(inputs)) as { logits: { data: Float32Array } };
  return {
    entailment: logits.data[NLI_LABELS.indexOf('entailment')] as number,
    contradiction: logits.data[NLI_LABELS.indexOf('contradiction')] as number,
  };
}
