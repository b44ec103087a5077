/**
 * Hotel reviews of very different lengths, written for the benchmark (not taken from a data
 * set), so that it runs where `../shared` does not exist. Lengths range from 2 to about 400
 * characters, as real reviews do.
 */
const SHORT = ['不错', '很好', '太差了', '一般', '还行吧', '推荐！', '再也不来了', '干净'];
const MEDIUM = [
  '房间很干净，服务也很好，下次还会再来。',
  '位置不错，离地铁很近，但是隔音太差了，晚上很吵。',
  '前台态度冷漠，办理入住等了半个小时，非常失望。',
  '早餐品种丰富，味道也可以，性价比很高。',
  'The room was clean and the staff were friendly 😊 房间也很大',
  '床很舒服，窗外的风景很美，就是价格有点贵。',
];
const LONG_PARTS = [
  '这次出差住了三个晚上，总体感觉还可以。',
  '房间面积比较大，设施虽然有些旧，但是打扫得很干净。',
  '卫生间的热水很足，毛巾也是新的。',
  '不过空调的声音有点大，第一晚没有睡好，后来换了房间才好一些。',
  '酒店的早餐一般，品种不多，咖啡很难喝。',
  '服务员很热情，帮我们叫了出租车，还推荐了附近好吃的饭店。',
  '停车场比较小，周末很难找到车位。',
  '总的来说，如果价格合适，下次还会考虑。',
];

/** Returns `count` texts that cycle through short, medium and long reviews. */
export function benchmarkTexts(count: number): string[] {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:
        texts.push(SHORT[i % SHORT.length] as string);
        break;
      case 3: {
        const parts = 2 + (i % (LONG_PARTS.length * 2));
        texts.push(
          Array.from({ length: parts }, (_, p) => LONG_PARTS[(i + p) % LONG_PARTS.length]).join(''),
        );
        break;
      }
      default:
        texts.push(MEDIUM[i % MEDIUM.length] as string);
    }
  }
  return texts;
}
