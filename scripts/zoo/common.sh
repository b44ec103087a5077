# Shared steps of the scripts/train-<name>.sh scripts that retrain the bundled models.
# Source it from such a script; it changes to the project root and makes a temporary folder.
# The data set folder defaults to ../shared/datasets; set DATASETS_DIR to read it elsewhere.
# ZOO_SKIP_BUILD=1 skips `npm run build`, as scripts/train-zoo.sh does after building once.

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
zoo_datasets=${DATASETS_DIR:-../shared/datasets}
zoo_work=$(mktemp -d)
trap 'rm -rf "$zoo_work"' EXIT

# Prints the path of a file under the data set folder, or fails with a message if it is missing.
zoo_dataset() {
  local file="$zoo_datasets/$1"
  if [ ! -f "$file" ]; then
    echo "error: $file not found; set DATASETS_DIR to the folder that contains $(dirname "$1")/" >&2
    return 2
  fi
  echo "$file"
}

# zoo_train NAME FILE [maas train options...]: trains NAME in a temporary data folder, with no
# bundled models registered there.
zoo_train() {
  local name=$1 file=$2
  shift 2
  if [ -z "${ZOO_SKIP_BUILD:-}" ]; then
    npm run build --silent
  fi
  mkdir -p "$zoo_work/no-bundled-models"
  node bin/maas.js train "$file" --name "$name" "$@" \
    --data-dir "$zoo_work/data" --models-dir "$zoo_work/no-bundled-models"
}

# zoo_install NAME < NOTES: replaces models/NAME with the files that the server reads from the
# version zoo_train registered, records the notes (one paragraph per line of standard input)
# and the reproduce command in the model card, and renders README.md.
zoo_install() {
  local name=$1
  npx tsx scripts/zoo/install-model.ts "$zoo_work/data/artifacts/models/$name/1" "models/$name" \
    "npm run train:$name"
  npx tsx scripts/render-model-card.ts "models/$name"
}
