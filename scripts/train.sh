#!/usr/bin/env bash
# Train the Rasa model when its inputs changed; skip otherwise.
# Inputs: config.yml, domain.yml, the training data (data/nlu, data/stories,
# data/rules, data/service_types.yml), our NLU components, the Swedish spaCy
# pipeline and Rasa's version.
# Usage: scripts/train.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
RASA=.venv-rasa/bin/rasa
export PYTHONWARNINGS=ignore
OUT=models/rasa
MODEL=$OUT/servicelotsen.tar.gz
STAMP=$OUT/servicelotsen.fingerprint

fingerprint() {
  {
    .venv-rasa/bin/python -c 'import importlib.metadata as m; print(m.version("rasa"))'
    find config.yml domain.yml data/service_types.yml data/nlu data/stories data/rules -type f -name '*.yml' | LC_ALL=C sort | xargs sha256sum
    # custom NLU components and the code they call
    find components bot/service_types.py bot/nlu_entities.py bot/text.py -type f -name '*.py' | LC_ALL=C sort | xargs sha256sum
    cat models/spacy_sv/.servicelotsen-build.json
  } | sha256sum | cut -d' ' -f1
}

want=$(fingerprint)
if [[ "${1:-}" != "--force" && -f "$MODEL" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "Rasa-modellen är aktuell: $MODEL"
  exit 0
fi
mkdir -p "$OUT"
# One training at a time on this machine (2 cores): wait for any other.
exec 9>/tmp/servicelotsen-train.lock
flock 9
start=$(date +%s)
"$RASA" train --data data/nlu data/stories data/rules --domain domain.yml --config config.yml \
  --out "$OUT" --fixed-model-name servicelotsen --force --quiet
echo "$want" > "$STAMP"
echo "Tränade Rasa-modellen på $(( $(date +%s) - start )) s: $MODEL"
