#!/usr/bin/env bash
# Quickstart 1/2: install and run the whole embedded stack (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/kelahiran up "$@"
