import { describe, expect, it } from 'vitest';
import {
  COMMON_SHINGLE_TEXTS,
  comparisonKey,
  NearDuplicateIndex,
} from '../../src/training/near-duplicates.js';

describe('NearDuplicateIndex', () => {
  const review =
    '我现在就在后海房间里，为什么要现在评呢：是因为看了下面的一些评论，急于谈自己的现实感受——好像与他们感觉有些出入。';

  it('finds exact copies after folding', () => {
    const index = new NearDuplicateIndex(['ＡＢＣ 好 评']);
    expect(index.has('ABC好评')).toBe(true);
    expect(index.has('ABC差评')).toBe(false);
  });

  it('finds edited and cut copies', () => {
    const index = new NearDuplicateIndex([review]);
    expect(index.has(review.replace('——', '――').replaceAll('，', ','))).toBe(true);
    expect(index.has(review.slice(0, 30))).toBe(true);
    expect(index.has(review.slice(20))).toBe(true);
    expect(index.has(review.replace('后海', '西湖').replace('评论', '点评'))).toBe(true);
  });

  it('keeps texts sharing one phrase', () => {
    const index = new NearDuplicateIndex([review]);
    expect(index.has('看了下面的一些评论，我决定不住这家了，前台太凶，早餐也冷。')).toBe(false);
    expect(index.has('')).toBe(false);
    expect(index.has('🙂')).toBe(false);
  });

  it('compares astral characters whole', () => {
    const index = new NearDuplicateIndex(['𠀀𠀁𠀂𠀃𠀄𠀅 好吃😋']);
    expect(index.has('𠀀𠀁𠀂𠀃𠀄𠀅好吃')).toBe(true);
    expect(comparisonKey('好吃😋！ 下次 再来')).toBe('好吃下次再来');
  });

  it('folds case', () => {
    const index = new NearDuplicateIndex(['it is a charming and often affecting journey']);
    expect(index.has('It Is A Charming And Often Affecting Journey')).toBe(true);
  });

  it('finds copies among templated texts', () => {
    const texts = Array.from(
      { length: COMMON_SHINGLE_TEXTS + 10 },
      (_, n) => `The hotel room was clean and the staff were friendly said guest ${100 + n}`,
    );
    const index = new NearDuplicateIndex(texts);
    expect(
      index.has('The hotel room was clean and the staff were very friendly said guest 100'),
    ).toBe(true);
  });

  it('keeps long texts around a short indexed phrase', () => {
    const index = new NearDuplicateIndex(['Great movie', '吃起来还不错']);
    expect(index.has('Great movie? No. The pacing drags.')).toBe(false);
    expect(index.has(`${review}吃起来还不错，就是有点贵。`)).toBe(false);
  });

  it('compares symbol-only texts exactly', () => {
    const index = new NearDuplicateIndex(['😀😀', '!!!']);
    expect(index.has('😀 😀')).toBe(true);
    expect(index.has('😡👎')).toBe(false);
    expect(index.has('好')).toBe(false);
  });

  it('skips phrases common to many texts', () => {
    const common = '服务态度很好';
    const texts = Array.from(
      { length: COMMON_SHINGLE_TEXTS + 5 },
      (_, n) => `${common}${String(n).padStart(3, '0')}号房间`,
    );
    const index = new NearDuplicateIndex(texts);
    expect(index.has(`${common}但是早餐一般`)).toBe(false);
    expect(index.has(texts[7] as string)).toBe(true);
  });
});
