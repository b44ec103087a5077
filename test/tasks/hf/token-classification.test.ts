import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NER_LABELS } from '../../../src/fixtures/index.js';
import {
  AGGREGATION_STRATEGIES,
  loadHuggingFaceTask,
  type EntityGroup,
  type HuggingFaceTaskModel,
  type TokenEntity,
} from '../../../src/tasks/hf/index.js';
import { expectClose, expectMaasError, LONG_INPUT, useFixtureFolders } from './fixture-folders.js';

const fixtures = useFixtureFolders();
let model: HuggingFaceTaskModel<'token-classification'>;

beforeAll(async () => {
  model = await loadHuggingFaceTask(fixtures.folders['token-classification'], {
    task: 'token-classification',
  });
});

afterAll(async () => {
  await model.dispose();
});

/** Chinese, English, emoji, full-width, accented and unknown text, with repeated names. */
const INPUTS = [
  '张三和李四去了上海，张三很好',
  'Hello New York, hello new york',
  'I ❤️ Beijing 😀👍 and 🎉',
  'ＡＢＣ公司在北京',
  'José visited Café Zürich',
  'the Ωmega hotel',
  'tab\tand\nnewline  spaces',
  '房间很[MASK]净',
];

describe('token-classification', () => {
  it('none returns every token with offsets', async () => {
    const [entities = []] = (await model.predict(['张三去上海'], { ignore_labels: [] })) as [
      TokenEntity[],
    ];
    expect(entities.map((entity) => entity.word)).toEqual(['张', '三', '去', '上', '海']);
    expect(entities.map((entity) => entity.index)).toEqual([1, 2, 3, 4, 5]);
    expect(entities.map((entity) => entity.start)).toEqual([0, 1, 2, 3, 4]);
    for (const entity of entities) {
      expect(NER_LABELS).toContain(entity.entity);
      expect(entity.score).toBeGreaterThan(0);
      expect(entity.score).toBeLessThanOrEqual(1);
    }
  });

  it.each(AGGREGATION_STRATEGIES)('%s: every word is the input slice', async (strategy) => {
    const results = await model.predict(INPUTS, {
      aggregation_strategy: strategy,
      ignore_labels: [],
    });
    for (const [i, entities] of results.entries()) {
      const input = INPUTS[i] as string;
      expect(entities.length).toBeGreaterThan(0);
      let previousEnd = 0;
      for (const entity of entities) {
        expect(input.slice(entity.start, entity.end)).toBe(entity.word);
        expect(entity.word).not.toBe('');
        expect(entity.start).toBeGreaterThanOrEqual(previousEnd);
        previousEnd = entity.end;
      }
    }
  });

  it('none covers the whole input', async () => {
    const results = (await model.predict(INPUTS, { ignore_labels: [] })) as TokenEntity[][];
    for (const [i, entities] of results.entries()) {
      const input = INPUTS[i] as string;
      const covered = entities.map((entity) => entity.word).join('');
      expect(covered).toBe(input.replace(/\s/g, ''));
    }
  });

  it('gives repeated names their own offsets', async () => {
    const [entities = []] = (await model.predict([INPUTS[0] as string], {
      ignore_labels: [],
    })) as [TokenEntity[]];
    const starts = entities.filter((entity) => entity.word === '张').map((entity) => entity.start);
    expect(starts).toEqual([0, 10]);
  });

  it('aligns [UNK], emoji and accents', async () => {
    const [fullWidth = [], accents = [], emoji = []] = (await model.predict(
      [INPUTS[3] as string, INPUTS[4] as string, INPUTS[2] as string],
      { ignore_labels: [] },
    )) as TokenEntity[][];
    expect(fullWidth[0]?.word).toBe('ＡＢＣ');
    expect(accents.map((entity) => entity.word).join('')).toBe('JosévisitedCaféZürich');
    expect(emoji.map((entity) => entity.word)).toContain('❤️');
    expect(emoji.map((entity) => entity.word)).toContain('👍');
  });

  it('drops O tokens by default', async () => {
    const all = (await model.predict([LONG_INPUT], { ignore_labels: [] }))[0] as TokenEntity[];
    const kept = (await model.predict([LONG_INPUT]))[0] as TokenEntity[];
    expect(kept).toEqual(all.filter((entity) => entity.entity !== 'O'));
  });

  it('groups have no B- or I- prefix', async () => {
    const [groups = []] = (await model.predict([LONG_INPUT], {
      aggregation_strategy: 'simple',
    })) as [EntityGroup[]];
    for (const group of groups) {
      expect(['PER', 'LOC', 'ORG']).toContain(group.entity_group);
    }
  });

  it.each(AGGREGATION_STRATEGIES)('%s: batched equals one by one', async (strategy) => {
    const inputs = ['好', LONG_INPUT, ...INPUTS];
    const parameters = { aggregation_strategy: strategy, ignore_labels: [] };
    const batched = await model.predict(inputs, parameters);
    for (const [i, input] of inputs.entries()) {
      expectClose(batched[i], (await model.predict([input], parameters))[0], 5);
    }
  });

  it('rejects an unknown aggregation_strategy', async () => {
    await expectMaasError(
      () => model.predict(['x'], { aggregation_strategy: 'longest' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.aggregation_strategy',
    );
  });

  it('rejects ignore_labels that is not a list', async () => {
    await expectMaasError(
      () => model.predict(['x'], { ignore_labels: 'O' }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.ignore_labels',
    );
    await expectMaasError(
      () => model.predict(['x'], { ignore_labels: ['O', 1] }),
      'MAAS_ERR_REQUEST_INVALID',
      'parameters.ignore_labels[1]',
    );
  });
});
