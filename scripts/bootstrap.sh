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
# Bytecode for our packages, written once: the workflow sandbox imports the workflow modules afresh
# for every run, and where PYTHONDONTWRITEBYTECODE is set (as on our machines) nothing else writes it.
.venv/bin/python -m compileall -q domain workflows activities adapters infra store cli api simulators tools
# The console's htmx (and the API docs' assets), from npm as pinned by package-lock.json, copied into a git-ignored static
# folder (no third-party code in the repository). Without npm the console still works: full page
# loads instead of partial swaps, and console.js keeps the bundle page live.
VENDOR=api/console/static/vendor
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$VENDOR/htmx.min.js" ] || [ package-lock.json -nt "$VENDOR/htmx.min.js" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    mkdir -p "$VENDOR"
    cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-sse/dist/sse.min.js "$VENDOR/"
  fi
  # The API docs' Swagger UI and ReDoc, served by the API itself (api/docs_ui.py): no CDN.
  DOCS=api/static/docs
  if [ ! -f "$DOCS/redoc.standalone.js" ] || [ package-lock.json -nt "$DOCS/redoc.standalone.js" ]; then
    [ -f node_modules/redoc/bundles/redoc.standalone.js ] || npm ci --no-audit --no-fund --loglevel=error
    mkdir -p "$DOCS"
    cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png} \
       node_modules/redoc/bundles/redoc.standalone.js "$DOCS/"
  fi
else
  echo "npm not found: the console runs without htmx (see README, For operators)" >&2
fi
