import { describeBundledClassifier } from './bundled-classifier.js';

describeBundledClassifier({
  name: 'topic-zh',
  labels: ['书籍', '平板', '手机', '水果', '洗发水', '热水器', '蒙牛', '衣服', '计算机', '酒店'],
  source: 'online_shopping_10_cats',
  minTestAccuracy: 0.88,
  trainFile: 'online_shopping_10_cats/train.csv',
  readOptions: { labelColumn: 'cat' },
  examples: [
    ['这本书的作者写得很好，情节感人', '书籍'],
    ['房间很干净，前台服务热情，早餐也不错', '酒店'],
    ['苹果很新鲜，很甜，包装也好', '水果'],
  ],
});
