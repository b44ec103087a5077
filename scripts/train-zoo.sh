#!/usr/bin/env bash
# Retrains the bundled models in turn, each with its scripts/train-<name>.sh.
# Usage: npm run train:zoo [-- name ...]; with no names it retrains all of ZOO_MODELS.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line per bundled model; scripts/train-<name>.sh retrains it.
ZOO_MODELS=(
  sentiment-zh
  sentiment-en
  topic-zh
  ner-zh
  ner-en
  srl-en
)

if [ "$#" -gt 0 ]; then
  models=("$@")
else
  models=("${ZOO_MODELS[@]}")
fi
for name in "${models[@]}"; do
  if [ ! -f "scripts/train-$name.sh" ]; then
    echo "error: scripts/train-$name.sh not found; the zoo models are: ${ZOO_MODELS[*]}" >&2
    exit 2
  fi
done

npm run build --silent
for name in "${models[@]}"; do
  echo "== training $name"
  started=$(date +%s)
  ZOO_SKIP_BUILD=1 bash "scripts/train-$name.sh"
  echo "== $name done in $(($(date +%s) - started)) s"
done
