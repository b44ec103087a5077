import { resolveHyperparameters } from '../../src/training/classification/hyperparameters.js';
import type { ClassifierHyperparameters } from '../../src/training/classification/hyperparameters.js';
import type { LabeledText } from '../../src/training/classification/train.js';
import { createRandom } from '../../src/util/random.js';

const SUBJECTS = ['房间', '服务', '早餐', '前台', '位置', '床', '环境', '价格'];
const POSITIVE = ['很好', '干净', '满意', '喜欢', '推荐', '舒服', '热情', '方便'];
const NEGATIVE = ['很差', '肮脏', '失望', '讨厌', '糟糕', '吵闹', '冷漠', '难吃'];

/** Labels of {@link syntheticReviews}: '0' negative, '1' positive, as in ChnSentiCorp. */
export const REVIEW_LABELS = ['0', '1'];

/**
 * Builds `count` Chinese hotel reviews of one to four clauses, alternating negative and
 * positive. Every clause pairs a subject with a word of its label, so a model can learn the
 * task within a few epochs.
 */
export function syntheticReviews(count: number, seed: number): LabeledText[] {
  const random = createRandom(seed);
  const pick = (words: readonly string[]): string =>
    words[Math.floor(random() * words.length)] as string;
  const rows: LabeledText[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2 === 0 ? '0' : '1';
    const words = label === '1' ? POSITIVE : NEGATIVE;
    const clauses: string[] = [];
    const clauseCount = 1 + Math.floor(random() * 4);
    for (let c = 0; c < clauseCount; c++) {
      clauses.push(pick(SUBJECTS) + pick(words));
    }
    rows.push({ text: clauses.join('，'), label });
  }
  return rows;
}

/** Hyperparameters of a model small enough to train in about a second on the wasm backend. */
export function tinyHyperparameters(
  overrides: Partial<ClassifierHyperparameters> = {},
): ClassifierHyperparameters {
  return resolveHyperparameters({
    embeddingDim: 8,
    units: 8,
    batchSize: 16,
    epochs: 4,
    patience: 4,
    minCount: 1,
    maxLength: 24,
    learningRate: 0.02,
    ...overrides,
  });
}
