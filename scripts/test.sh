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
if [ "$#" -gt 0 ]; then exec .venv/bin/pytest "$@"; fi
# The whole suite: `kelahiran chaos` scaled down (tests/tools/chaos: its own `kelahiran up`, restarted
# twice, on free ports and a folder of its own; it mostly waits for restarts, a freeze and an outage)
# runs beside the rest, which keeps CI within its 15 minutes on two cores. Its output follows the rest's.
mkdir -p test-artifacts
.venv/bin/pytest -p no:cacheprovider tests/tools/chaos > test-artifacts/chaos-suite.log 2>&1 &
chaos=$!
status=0
.venv/bin/pytest --ignore=tests/tools/chaos || status=$?
chaos_status=0
wait "$chaos" || chaos_status=$?
echo "--- tests/tools/chaos (run beside the rest) ---"
if [ "$chaos_status" -ne 0 ]; then cat test-artifacts/chaos-suite.log; else tail -n 3 test-artifacts/chaos-suite.log; fi
[ "$status" -eq 0 ] && [ "$chaos_status" -eq 0 ]
