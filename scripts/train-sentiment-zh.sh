#!/usr/bin/env bash
# Retrains the bundled sentiment-zh model on ChnSentiCorp and writes it to models/sentiment-zh.
set -euo pipefail
source "$(dirname "$0")/zoo/common.sh"

file=$(zoo_dataset chnsenticorp/train.csv)
zoo_train sentiment-zh "$file" \
  --description "Chinese sentiment classifier for reviews: positive or negative." \
  --source "ChnSentiCorp_htl_all hotel reviews (Tan Songbo), via SophonPlus/ChineseNlpCorpus." \
  --label-names 0=negative,1=positive \
  --test-split 0.1 --validation-split 0.1 --seed 42 \
  --architecture fasttext --embedding-dim 32 --min-count 3 --embedding-dtype float16

zoo_install sentiment-zh <<'NOTES'
Settings were compared on the seed-42 split when this model was first trained, by the accuracy of its test part, so that figure is slightly optimistic. With 626 test rows, one standard error of the accuracy is about 1.3 points.
Compared on seed 42: LSTM 82.1%, bidirectional LSTM 85.5%, this bag of n-grams truncated to its first 1,024 features 87.5%, and embedding width 64 with minimum count 2 89.0% (43 MB of float32 weights). The same command with --seed 1 and --seed 2 (other test parts) gave 90.42% and 90.10% test accuracy, with the embedding stored as float32.
Embedding width 32 and minimum count 3 with the embedding stored as float16 keep model.onnx at about 6.3 MB. Rounding to float16 did not change the validation or test accuracy.
Compared on the validation part when the model zoo was built: character n-grams up to 4 with the vocabulary capped at 120,000 reached 89.18% validation accuracy against 88.83% for these settings, a difference of 2 of 564 rows and well within one standard error. The current settings were kept because they are smaller (7.4 MB against 9.2 MB). That variant's test accuracy was 87.86%.
Two more settings on the same split did not beat these. The same bag of n-grams with 60,000 extra training reviews reached 87.94% validation and 88.02% test accuracy. The extra reviews are online_shopping_10_cats without its hotel category, whose reviews largely repeat ChnSentiCorp, plus waimai_10k. A character TextCNN (kernel widths 2 to 5, 96 filters each) reached 88.30% validation and 86.74% test accuracy.
A later study chose settings without looking at the test part: scripts/zoo/sentiment-zh-study/ re-implements the models in PyTorch and scores them by 5-fold cross-validation over the 5,639 non-test rows, then reports the test part once. This bag of n-grams: 89.54% cross-validated, 88.34% test. Logistic regression over the same n-grams present or absent, scaled by naive Bayes log-count ratios (NBSVM): 90.32% cross-validated, 89.14% test. Training first on the 60,000 extra reviews, then on ChnSentiCorp: 89.38% and 88.18%. Adding the 3,551 hotel reviews of online_shopping_10_cats that share no 12-character run with ChnSentiCorp: 88.93% and 88.34%. None of these reaches 90% on the test part. Reproduce with `npx tsx scripts/zoo/sentiment-zh-study/split.ts split.jsonl` and `python3 scripts/zoo/sentiment-zh-study/study.py split.jsonl --model nbsvm --min-count 1 --lr 0.003 --cv --final` (about 1 minute; the pretraining run takes about 30).
The held-out accuracy of this seed-42 split (88.34%) is below the 90% that the model zoo aims for.
NOTES
