#!/usr/bin/env bash
# Usage: scripts/check_python.sh PYTHON WHAT
# Stops `make` with one sentence when the Python interpreter PYTHON is missing.
set -u
py="$1"; what="$2"
if ! "$py" -c 'import sys, venv' >/dev/null 2>&1; then
  version="${py#python}"
  echo "Servicelotsen needs $py for $what, but it was not found: install Python $version (for example 'pyenv install $version', then run make from the repository so .python-version selects it) or run make with ${3:-PY} pointing to it." >&2
  exit 1
fi
