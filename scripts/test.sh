#!/usr/bin/env bash
# Quickstart 2/2: install with the dev extras and run the whole test suite.
# The suite needs the PostgreSQL at 127.0.0.1:5432 (with CI set, its absence fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh dev
# The console's browser tests drive Debian's Chromium (never a browser Playwright downloads).
if ! command -v chromium >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
# The compose proxy's config is checked by Debian's nginx (`nginx -t`, tests/test_compose.py).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/mkdocs build --strict --quiet
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache  # the layering (pyproject.toml)
exec .venv/bin/pytest "$@"
