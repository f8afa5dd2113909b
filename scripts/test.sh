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
# The whole suite. The tests that run whole stacks of their own under `kelahiran up` (on free ports,
# in folders of their own, never the session's stack) and mostly wait for its restarts, a freeze and an
# outage run beside the rest, with the crash tests that start their own workers and APIs and the bench's
# smoke run, which keeps CI within its 15 minutes on two cores. Their output follows
# the rest's (and stays in test-artifacts/beside.log).
BESIDE=(tests/tools/chaos tests/crash/test_up_supervision.py tests/crash/test_temporal_restart.py
        tests/cli/test_up.py tests/crash/test_worker_kill.py tests/crash/test_bpjs_outage.py
        tests/crash/test_api_replicas.py tests/tools/bench/test_bench_smoke.py)
mkdir -p test-artifacts
.venv/bin/pytest -p no:cacheprovider "${BESIDE[@]}" > test-artifacts/beside.log 2>&1 &
beside=$!
status=0
.venv/bin/pytest "${BESIDE[@]/#/--ignore=}" || status=$?
beside_status=0
wait "$beside" || beside_status=$?
echo "--- ${BESIDE[*]} (run beside the rest) ---"
if [ "$beside_status" -ne 0 ]; then cat test-artifacts/beside.log; else tail -n 3 test-artifacts/beside.log; fi
[ "$status" -eq 0 ] && [ "$beside_status" -eq 0 ]
