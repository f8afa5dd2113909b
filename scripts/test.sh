#!/usr/bin/env bash
# Quickstart 2/2: install with the dev extras and run the whole test suite.
# The suite needs the PostgreSQL at 127.0.0.1:5432 (with CI set, its absence fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh dev
# The console's browser tests drive Debian's Chromium (never a browser Playwright downloads).
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
.venv/bin/ruff check .
exec .venv/bin/pytest "$@"
