import type { TaggedSentence } from '../../src/training/tagging/train.js';
import { createRandom } from '../../src/util/random.js';

/** Tag set of the synthetic NER sentences, `O` first. */
export const NER_TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG'] as const;

const PEOPLE = ['王小明', '李华', '张伟', '刘洋', '陈静', '杨帆', '赵磊', '黄丽'];
const PLACES = ['北京', '上海', '广州', '深圳', '杭州', '南京', '成都', '武汉'];
const ORGS = ['清华大学', '腾讯公司', '中国银行', '人民医院', '新华社', '北京大学'];
const NAMES_BY_TYPE: Record<string, readonly string[]> = { PER: PEOPLE, LOC: PLACES, ORG: ORGS };
const TEMPLATES = [
  '{PER}在{LOC}工作',
  '{PER}昨天去了{LOC}',
  '{ORG}位于{LOC}',
  '{PER}加入了{ORG}',
  '我和{PER}在{LOC}见面',
  '{ORG}的{PER}来自{LOC}',
  '今天天气很好',
  '{LOC}的{ORG}发布了消息',
];

/**
 * Writes `count` seeded Chinese sentences, one character per token, with people, places
 * and organizations from fixed lists tagged in IOB2.
 */
export function synthesizeNerSentences(count: number, seed: number): TaggedSentence[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const sentences: TaggedSentence[] = [];
  for (let i = 0; i < count; i++) {
    const tokens: string[] = [];
    const tags: string[] = [];
    for (const part of pick(TEMPLATES).split(/(\{[A-Z]+\})/)) {
      const type = /^\{([A-Z]+)\}$/.exec(part)?.[1];
      const text = type === undefined ? part : pick(NAMES_BY_TYPE[type] ?? []);
      [...text].forEach((character, position) => {
        tokens.push(character);
        tags.push(type === undefined ? 'O' : `${position === 0 ? 'B' : 'I'}-${type}`);
      });
    }
    sentences.push({ tokens, tags });
  }
  return sentences;
}

/** Renders sentences as a CoNLL file: a token and its tag per line, a blank line after each. */
export function toConll(sentences: readonly TaggedSentence[]): string {
  return sentences
    .map((sentence) =>
      sentence.tokens.map((token, index) => `${token}\t${sentence.tags[index]}\n`).join(''),
    )
    .join('\n');
}
