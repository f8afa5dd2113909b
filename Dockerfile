# One image for every kelahiran process: the API (default), the worker, migrations, simulators.

# Front-end assets from npm, as pinned by package-lock.json (scripts/bootstrap.sh does the same
# locally): the console's htmx, the API docs' Swagger UI and ReDoc. No third-party code in the repo.
FROM node:22-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
    && mkdir -p vendor docs \
    && cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-sse/dist/sse.min.js vendor/ \
    && cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
          node_modules/swagger-ui-dist/favicon-32x32.png node_modules/redoc/bundles/redoc.standalone.js docs/

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src

# Only what the wheel is built from, so tests, data and the local venv stay out of the image.
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY adapters ./adapters
COPY simulators ./simulators
COPY api ./api
COPY --from=assets /assets/vendor ./api/console/static/vendor
COPY --from=assets /assets/docs ./api/static/docs
COPY refdata ./refdata
COPY infra ./infra
COPY store ./store
COPY cli ./cli
COPY tools ./tools
# PYTHONDONTWRITEBYTECODE: bytecode is written once here, never at run time. The workflow sandbox
# imports the workflow modules afresh for every run, which then loads bytecode instead of compiling.
RUN pip install "/src[tracing]" \
    && python -m compileall -q "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

RUN useradd --create-home --uid 10001 kelahiran
USER kelahiran
# Outside /src, so the installed package (not the source copy) is what gets imported.
WORKDIR /home/kelahiran

EXPOSE 8000
CMD ["kelahiran", "api"]
