# One image for every kelahiran process: the API (default), the worker, migrations, simulators.
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
COPY refdata ./refdata
COPY infra ./infra
COPY store ./store
COPY cli ./cli
COPY tools ./tools
# PYTHONDONTWRITEBYTECODE: bytecode is written once here, never at run time. The workflow sandbox
# imports the workflow modules afresh for every run, which then loads bytecode instead of compiling.
RUN pip install /src \
    && python -m compileall -q "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

RUN useradd --create-home --uid 10001 kelahiran
USER kelahiran
# Outside /src, so the installed package (not the source copy) is what gets imported.
WORKDIR /home/kelahiran

EXPOSE 8000
CMD ["kelahiran", "api"]
