#!/usr/bin/env bash
# `make shell`: rasa shell against the running action server, or a fresh one
# started (and stopped again) by the supervisor. See scripts/stack.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv-actions/bin/python scripts/stack.py shell "$@"
