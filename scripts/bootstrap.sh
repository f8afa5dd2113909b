#!/usr/bin/env bash
# Create .venv and install the project (with extras given as $1, e.g. "dev"). Idempotent and quick
# when nothing changed; everything comes from PyPI (no other downloads).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "kelahiran needs Python >= 3.11 (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip uv
fi
spec="."
[ -n "${1:-}" ] && spec=".[${1}]"
.venv/bin/uv pip install --quiet --python .venv/bin/python -e "$spec"
