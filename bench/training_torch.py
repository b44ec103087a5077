"""PyTorch reference for `npm run bench:training`.

Builds the PyTorch counterpart of one nlp-maas architecture and trains it on the batches
that the benchmark wrote. The model has the same layers, widths, dropout, loss, Adam
settings and gradient clipping as the tfjs model. Prints the trainable parameter count and
the duration of every timed step as JSON on stdout.

Usage: python3 training_torch.py SPEC.json, where bench/training.ts writes the spec.

Differences from the tfjs models that do not change the work per step much:
- PyTorch's LSTM, GRU and simple RNN have an input and a recurrent bias where tfjs has one.
  The recurrent bias is zeroed and frozen, so both sides train the same number of weights.
- PyTorch's GRU applies the reset gate after the recurrent product (as ONNX's
  linear_before_reset), tfjs-layers' GRU before it, and tfjs's recurrent layers use a hard
  sigmoid for their gates where PyTorch uses the sigmoid.
- Recurrent layers read packed sequences (pack_padded_sequence), the standard way to skip
  padding in PyTorch, so they compute no padded steps. tfjs computes every step and keeps
  the previous state at a padded one.
- Input dropout of a recurrent layer draws a new mask per step in PyTorch, and one mask per
  sequence in tfjs-layers.
"""

import json
import math
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence

RECURRENT_CELLS = {"lstm": nn.LSTM, "bilstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def freeze_recurrent_biases(layer):
    """Zero and freeze the recurrent biases that tfjs's recurrent layers do not have."""
    for name, parameter in layer.named_parameters():
        if name.startswith("bias_hh"):
            with torch.no_grad():
                parameter.zero_()
            parameter.requires_grad_(False)


def set_lstm_forget_bias(layer, units):
    """Set the forget-gate bias to 1, as tfjs's `unitForgetBias: true` does."""
    for name, parameter in layer.named_parameters():
        if name.startswith("bias_ih"):
            with torch.no_grad():
                parameter[units : 2 * units] = 1.0


def recurrent_layer(cell, input_width, units, bidirectional):
    layer = RECURRENT_CELLS[cell](
        input_width, units, batch_first=True, bidirectional=bidirectional
    )
    freeze_recurrent_biases(layer)
    if RECURRENT_CELLS[cell] is nn.LSTM:
        set_lstm_forget_bias(layer, units)
    return layer


def step_mask(ids):
    """Return 1.0 at real tokens and 0.0 at padding (id 0), `[batch, steps, 1]`."""
    return (ids != 0).unsqueeze(2).float()


def masked_mean(sequence, mask):
    return (sequence * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class RecurrentClassifier(nn.Module):
    """Embedding → recurrent layer (every step) → Dropout → recurrent layer → Dense."""

    def __init__(self, hp, vocabulary_size, labels):
        super().__init__()
        architecture = hp["architecture"]
        bidirectional = architecture == "bilstm"
        directions = 2 if bidirectional else 1
        units = hp["units"]
        self.embedding = nn.Embedding(vocabulary_size, hp["embeddingDim"], padding_idx=0)
        self.input_dropout = nn.Dropout(hp["inputDropout"])
        self.first = recurrent_layer(architecture, hp["embeddingDim"], units, bidirectional)
        self.dropout = nn.Dropout(hp["dropout"])
        self.second = recurrent_layer(architecture, units * directions, units, bidirectional)
        self.classifier = nn.Linear(units * directions, labels)

    def forward(self, ids, lengths):
        embedded = self.embedding(ids)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        packed = packed._replace(data=self.input_dropout(packed.data))
        sequence, _ = self.first(packed)
        sequence = sequence._replace(data=self.input_dropout(self.dropout(sequence.data)))
        _, state = self.second(sequence)
        final = state[0] if isinstance(state, tuple) else state
        # final: [directions, batch, units], the state after the last real token.
        features = torch.cat(list(final), dim=1)
        return self.classifier(features)


class BagOfNgramsClassifier(nn.Module):
    """Embedding → mean over the real tokens → Dropout → Dense (fastText)."""

    def __init__(self, hp, vocabulary_size, labels):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary_size, hp["embeddingDim"], padding_idx=0)
        self.dropout = nn.Dropout(hp["dropout"])
        self.classifier = nn.Linear(hp["embeddingDim"], labels)

    def forward(self, ids, lengths):
        pooled = masked_mean(self.embedding(ids), step_mask(ids))
        return self.classifier(self.dropout(pooled))


class TextCnnClassifier(nn.Module):
    """Embedding → Conv1D (`same`, relu) per kernel size → masked max → concat → Dense."""

    def __init__(self, hp, vocabulary_size, labels):
        super().__init__()
        width = hp["embeddingDim"]
        self.embedding = nn.Embedding(vocabulary_size, width, padding_idx=0)
        self.convolutions = nn.ModuleList(
            nn.Conv1d(width, hp["units"], size, padding="same") for size in hp["kernelSizes"]
        )
        self.dropout = nn.Dropout(hp["dropout"])
        self.classifier = nn.Linear(hp["units"] * len(hp["kernelSizes"]), labels)

    def forward(self, ids, lengths):
        mask = step_mask(ids)
        # [batch, width, steps], padded steps zeroed as MaskedConv1D does.
        sequence = (self.embedding(ids) * mask).transpose(1, 2)
        penalty = (mask.transpose(1, 2) - 1.0) * 1e9
        pooled = [
            (F.relu(convolution(sequence)) + penalty).amax(2)
            for convolution in self.convolutions
        ]
        return self.classifier(self.dropout(torch.cat(pooled, dim=1)))


class EncoderLayer(nn.Module):
    """Post-norm encoder layer: attention and feed-forward, each with residual and norm."""

    def __init__(self, width, heads, inner_width, dropout):
        super().__init__()
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.attention_dropout = nn.Dropout(dropout)
        self.attention_norm = nn.LayerNorm(width, eps=1e-6)
        self.feed_forward_1 = nn.Linear(width, inner_width)
        self.feed_forward_2 = nn.Linear(inner_width, width)
        self.feed_forward_dropout = nn.Dropout(dropout)
        self.feed_forward_norm = nn.LayerNorm(width, eps=1e-6)

    def forward(self, sequence, padding):
        attended, _ = self.attention(
            sequence, sequence, sequence, key_padding_mask=padding, need_weights=False
        )
        sequence = self.attention_norm(sequence + self.attention_dropout(attended))
        projected = self.feed_forward_2(F.relu(self.feed_forward_1(sequence)))
        return self.feed_forward_norm(sequence + self.feed_forward_dropout(projected))


class TransformerClassifier(nn.Module):
    """Embedding + position embedding → encoder layers → masked mean → Dropout → Dense."""

    def __init__(self, hp, vocabulary_size, labels):
        super().__init__()
        width = hp["embeddingDim"]
        self.embedding = nn.Embedding(vocabulary_size, width, padding_idx=0)
        max_positions = max(hp["maxLength"], 2)
        self.positions = nn.Parameter(torch.empty(max_positions, width).uniform_(-0.05, 0.05))
        self.layers = nn.ModuleList(
            EncoderLayer(width, hp["attentionHeads"], hp["units"], hp["dropout"])
            for _ in range(hp["encoderLayers"])
        )
        self.dropout = nn.Dropout(hp["dropout"])
        self.classifier = nn.Linear(width, labels)

    def forward(self, ids, lengths):
        steps = ids.shape[1]
        sequence = self.embedding(ids) + self.positions[:steps]
        padding = ids == 0
        for layer in self.layers:
            sequence = layer(sequence, padding)
        pooled = masked_mean(sequence, step_mask(ids))
        return self.classifier(self.dropout(pooled))


class Tagger(nn.Module):
    """Embedding → BiLSTM (every step) → Dropout → Dense over each step, with an optional CRF."""

    def __init__(self, hp, vocabulary_size, tags):
        super().__init__()
        units = hp["units"]
        self.embedding = nn.Embedding(vocabulary_size, hp["embeddingDim"], padding_idx=0)
        self.lstm = recurrent_layer("lstm", hp["embeddingDim"], units, bidirectional=True)
        self.dropout = nn.Dropout(hp["dropout"])
        self.emissions = nn.Linear(2 * units, tags)
        self.crf = hp["architecture"] == "bilstm-crf"
        if self.crf:
            self.transitions = nn.Parameter(torch.zeros(tags, tags))
            self.start = nn.Parameter(torch.zeros(tags))
            self.end = nn.Parameter(torch.zeros(tags))

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(
            self.embedding(ids), lengths, batch_first=True, enforce_sorted=False
        )
        sequence, _ = self.lstm(packed)
        sequence = sequence._replace(data=self.dropout(sequence.data))
        unpacked, _ = nn.utils.rnn.pad_packed_sequence(
            sequence, batch_first=True, total_length=ids.shape[1]
        )
        return self.emissions(unpacked)


def crf_negative_log_likelihood(tagger, emissions, tags, mask):
    """Mean negative log-likelihood of the gold tags by the forward algorithm, as crf.ts."""
    steps = emissions.shape[1]
    alpha = tagger.start + emissions[:, 0]
    for step in range(1, steps):
        scores = alpha.unsqueeze(2) + tagger.transitions
        following = torch.logsumexp(scores, dim=1) + emissions[:, step]
        keep = mask[:, step].unsqueeze(1)
        alpha = following * keep + alpha * (1 - keep)
    log_partition = torch.logsumexp(alpha + tagger.end, dim=1)

    emitted = (emissions.gather(2, tags.unsqueeze(2)).squeeze(2) * mask).sum(1)
    started = tagger.start[tags[:, 0]]
    moved = (tagger.transitions[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(1)
    last = mask.sum(1).long() - 1
    ended = tagger.end[tags.gather(1, last.unsqueeze(1)).squeeze(1)]
    gold = emitted + started + moved + ended
    return (log_partition - gold).mean()


def build_model(spec):
    hp = spec["hyperparameters"]
    vocabulary_size = spec["vocabularySize"]
    outputs = spec["outputs"]
    if spec["kind"] == "tagger":
        return Tagger(hp, vocabulary_size, outputs)
    architecture = hp["architecture"]
    if architecture in RECURRENT_CELLS:
        return RecurrentClassifier(hp, vocabulary_size, outputs)
    builders = {
        "fasttext": BagOfNgramsClassifier,
        "textcnn": TextCnnClassifier,
        "transformer": TransformerClassifier,
    }
    if architecture not in builders:
        raise ValueError(f"unknown architecture {architecture!r}")
    return builders[architecture](hp, vocabulary_size, outputs)


def to_tensors(batch):
    shape = (batch["size"], batch["steps"])
    tensors = {
        "ids": torch.tensor(batch["ids"], dtype=torch.long).reshape(shape),
        "lengths": torch.tensor(batch["lengths"], dtype=torch.long),
    }
    if "tags" in batch:
        tensors["tags"] = torch.tensor(batch["tags"], dtype=torch.long).reshape(shape)
        tensors["mask"] = (tensors["ids"] != 0).float()
    else:
        tensors["labels"] = torch.tensor(batch["labels"], dtype=torch.long)
    return tensors


def train_step(model, optimizer, batch, clip_norm):
    """Run one Adam step on `batch` and return the loss, read back as the tfjs side does."""
    optimizer.zero_grad()
    output = model(batch["ids"], batch["lengths"])
    if "labels" in batch:
        loss = F.cross_entropy(output, batch["labels"])
    elif model.crf:
        loss = crf_negative_log_likelihood(model, output, batch["tags"], batch["mask"])
    else:
        per_token = F.cross_entropy(output.transpose(1, 2), batch["tags"], reduction="none")
        loss = (per_token * batch["mask"]).sum() / batch["mask"].sum().clamp(min=1.0)
    loss.backward()
    trainable = [p for p in model.parameters() if p.requires_grad]
    nn.utils.clip_grad_norm_(trainable, clip_norm)
    optimizer.step()
    return loss.item()


def count_trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def measure(spec, threads):
    """Train a new model on the spec's batches with `threads` threads; return step seconds."""
    torch.set_num_threads(threads)
    torch.manual_seed(spec["hyperparameters"]["seed"])
    model = build_model(spec)
    model.train()
    hp = spec["hyperparameters"]
    trainable = [p for p in model.parameters() if p.requires_grad]
    # tfjs's Adam takes its epsilon from the backend, 1e-7 for float32.
    optimizer = torch.optim.Adam(trainable, lr=hp["learningRate"], eps=1e-7)
    batches = [to_tensors(batch) for batch in spec["batches"]]
    warmup = spec["warmupSteps"]
    seconds = []
    for index, batch in enumerate(batches):
        started = time.perf_counter()
        loss = train_step(model, optimizer, batch, hp["clipNorm"])
        if index >= warmup:
            seconds.append(time.perf_counter() - started)
        if not math.isfinite(loss):
            raise RuntimeError(f"the loss became {loss} at step {index + 1}")
    return count_trainable(model), seconds


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: training_torch.py SPEC.json")
    with open(sys.argv[1], encoding="utf-8") as file:
        spec = json.load(file)
    torch.set_num_interop_threads(1)
    runs = []
    parameters = None
    for threads in spec["threads"]:
        parameters, seconds = measure(spec, threads)
        runs.append({"threads": threads, "stepSeconds": seconds})
    json.dump({"torch": torch.__version__, "parameters": parameters, "runs": runs}, sys.stdout)


if __name__ == "__main__":
    main()
