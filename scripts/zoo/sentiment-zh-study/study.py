"""Compares sentiment-zh model settings on ChnSentiCorp without looking at its test part.

Reads the JSON lines that split.ts writes. `--cv` reports the mean accuracy of 5-fold
cross-validation over the 5,639 non-test rows (each fold's training rows keep a tenth for early
stopping). `--final` trains on the training part, stops early on the validation part and reports
validation and test accuracy, as `maas train` does. Models, in PyTorch:

- `fasttext`: the product's bag of words, word bigrams and character 1-3 grams, masked mean,
  dropout and a softmax layer, trained with Adam (the sentiment-zh settings by default).
- `nbsvm`: logistic regression over the same features present or absent, each scaled by its
  naive Bayes log-count ratio (the NBSVM baseline).

`--extra pretrain` first trains on the extra reviews (waimai_10k and online_shopping_10_cats
without its hotel category), then on ChnSentiCorp. `--extra hotel` adds the hotel reviews of
online_shopping_10_cats to the training rows, without any review that shares a 12-character
run with a ChnSentiCorp review.

Usage: python3 study.py DATA.jsonl --model nbsvm --lr 0.003 --min-count 1 --cv
"""

import argparse
import collections
import json
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def features(words, word_ngrams=2, char_ngrams=3):
    """Returns tokens, word n-grams and character n-grams in the product tokenizer's order."""
    out, recent_words, recent_chars = [], [], []
    for word in words:
        out.append(word)
        recent_words = (recent_words + [word])[-word_ngrams:]
        for start in range(len(recent_words) - 1):
            out.append(" ".join(recent_words[start:]))
        for char in word:
            recent_chars = (recent_chars + [char])[-char_ngrams:]
            for start in range(len(recent_chars)):
                out.append("<" + "".join(recent_chars[start:]) + ">")
    return out


def build_vocabulary(row_sets, min_count, max_size=300000):
    counts = collections.Counter()
    for rows in row_sets:
        for row in rows:
            counts.update(row["f"])
    frequent = [token for token, n in counts.most_common(max_size) if n >= min_count]
    return {token: index + 1 for index, token in enumerate(frequent)}


def encode(rows, vocabulary, unique=False):
    encoded = []
    for row in rows:
        ids = [vocabulary[token] for token in row["f"] if token in vocabulary] or [0]
        encoded.append((sorted(set(ids)) if unique else ids, row["label"]))
    return encoded


def batches(encoded, size, rng=None):
    order = list(range(len(encoded)))
    if rng is not None:
        rng.shuffle(order)
    for start in range(0, len(order), size):
        batch = [encoded[i] for i in order[start : start + size]]
        ids = torch.tensor([t for x, _ in batch for t in x])
        offsets = torch.tensor([0] + [len(x) for x, _ in batch][:-1]).cumsum(0)
        yield ids, offsets, torch.tensor([y for _, y in batch])


class FastText(nn.Module):
    def __init__(self, vocabulary_size, dim, dropout):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocabulary_size + 1, dim, mode="mean")
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(dim, 2)

    def forward(self, ids, offsets):
        return self.output(self.dropout(self.embedding(ids, offsets)))


class NbLogistic(nn.Module):
    def __init__(self, ratios):
        super().__init__()
        self.ratios = ratios
        self.weights = nn.EmbeddingBag(len(ratios), 1, mode="sum")
        nn.init.zeros_(self.weights.weight)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, ids, offsets):
        z = self.weights(ids, offsets, per_sample_weights=self.ratios[ids]).squeeze(1) + self.bias
        return torch.stack([-z / 2, z / 2], 1)


def evaluate(model, encoded):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for ids, offsets, y in batches(encoded, 256):
            logits = model(ids, offsets)
            loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    return loss / len(encoded), correct / len(encoded)


def fit(model, train, validation, lr, batch_size, epochs=20, patience=3, seed=42):
    """Trains with Adam and restores the weights of the epoch with the lowest validation loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rng = random.Random(seed)
    best = None
    for epoch in range(1, epochs + 1):
        model.train()
        for ids, offsets, y in batches(train, batch_size, rng):
            optimizer.zero_grad()
            F.cross_entropy(model(ids, offsets), y).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5)
            optimizer.step()
        loss, _ = evaluate(model, validation)
        if best is None or loss < best[0] - 1e-4:
            best = (loss, epoch, {k: v.clone() for k, v in model.state_dict().items()})
        elif epoch - best[1] >= patience:
            break
    model.load_state_dict(best[2])


def run(args, train, validation, scored, extra):
    """Trains one model and returns its accuracy on each list of rows in `scored`."""
    torch.manual_seed(42)
    pretrain = extra if args.extra == "pretrain" else []
    vocabulary = build_vocabulary([train, pretrain], args.min_count)
    unique = args.model == "nbsvm"
    train_ids = encode(train, vocabulary, unique)
    validation_ids = encode(validation, vocabulary, unique)
    if args.model == "nbsvm":
        positive = torch.ones(len(vocabulary) + 1)
        negative = torch.ones(len(vocabulary) + 1)
        for ids, label in train_ids:
            (positive if label == 1 else negative)[torch.tensor(ids)] += 1
        ratios = torch.log((positive / positive.sum()) / (negative / negative.sum()))
        ratios[0] = 0
        model = NbLogistic(ratios)
    else:
        model = FastText(len(vocabulary), args.dim, args.dropout)
    if pretrain:
        fit(model, encode(pretrain, vocabulary, unique), validation_ids, args.lr, 256, epochs=2)
    fit(model, train_ids, validation_ids, args.lr, args.batch_size)
    return [evaluate(model, encode(rows, vocabulary, unique))[1] for rows in scored]


def hotel_reviews(rows, main, window=12):
    """Returns hotel reviews of online_shopping_10_cats that share no 12-character run with main."""
    runs = set()
    for row in main:
        text = "".join(row["text"].split())
        runs.update(text[i : i + window] for i in range(max(1, len(text) - window + 1)))
    distinct = []
    for row in rows:
        text = "".join(row["text"].split())
        if row["part"] == "shopping" and row["category"] == "酒店":
            if not any(text[i : i + window] in runs for i in range(max(1, len(text) - window + 1))):
                distinct.append(row)
    return distinct


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--model", choices=["fasttext", "nbsvm"], default="fasttext")
    parser.add_argument("--extra", choices=["none", "pretrain", "hotel"], default="none")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cv", action="store_true", help="5-fold cross-validation, no test rows")
    parser.add_argument("--final", action="store_true", help="validation and test accuracy")
    args = parser.parse_args()
    torch.set_num_threads(1)

    rows = [json.loads(line) for line in open(args.data, encoding="utf-8")]
    for row in rows:
        row["f"] = features(row["words"])
    main_rows = [row for row in rows if row["part"] in ("train", "val", "test")]
    extra = []
    if args.extra == "pretrain":
        extra = [
            row
            for row in rows
            if row["part"] == "waimai" or (row["part"] == "shopping" and row["category"] != "酒店")
        ]
    hotel = hotel_reviews(rows, main_rows) if args.extra == "hotel" else []
    started = time.time()
    result = {"settings": {k: v for k, v in vars(args).items() if k != "data"}}

    if args.cv:
        rest = [row for row in main_rows if row["part"] != "test"]
        order = list(range(len(rest)))
        random.Random(7).shuffle(order)
        folds = []
        for fold in range(5):
            scored = [rest[i] for i in order[fold::5]]
            others = [rest[i] for position, i in enumerate(order) if position % 5 != fold]
            stop = len(others) // 10
            folds.append(run(args, others[stop:] + hotel, others[:stop], [scored], extra)[0])
        result["cv_accuracy"] = round(100 * sum(folds) / len(folds), 2)
        result["folds"] = [round(100 * accuracy, 1) for accuracy in folds]
    if args.final:
        part = {name: [row for row in main_rows if row["part"] == name] for name in ("train", "val", "test")}
        validation, test = run(args, part["train"] + hotel, part["val"], [part["val"], part["test"]], extra)
        result["validation_accuracy"] = round(100 * validation, 2)
        result["test_accuracy"] = round(100 * test, 2)
    result["seconds"] = round(time.time() - started)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
