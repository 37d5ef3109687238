#!/usr/bin/env bash
# `make shell`: rasa shell against the running action server, or a fresh one
# started here and stopped again when the shell ends.
set -euo pipefail
cd "$(dirname "$0")/.."
started=""
cleanup() {
  if [[ -n "$started" ]]; then
    kill -TERM "$started" 2>/dev/null || true
    wait "$started" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

if ! curl -fsS "http://127.0.0.1:${ACTIONS_PORT}/health" >/dev/null 2>&1; then
  .venv-actions/bin/python scripts/stack.py actions >var/log/shell-actions.out 2>&1 &
  started=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:${ACTIONS_PORT}/health" >/dev/null 2>&1 && break
    if ! kill -0 "$started" 2>/dev/null; then
      echo "Actionservern kunde inte starta:"; cat var/log/shell-actions.out; exit 1
    fi
    sleep 0.5
  done
fi
echo "Skriv till Servicelotsen. Avsluta med /stop."
.venv-rasa/bin/rasa shell --model models/rasa/servicelotsen.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --port "${SHELL_RASA_PORT:-5006}" --quiet "$@"
