"""Failures of the `kelahiran` commands as one line that says what to do.

A person at a terminal needs the cause and the next step, not 300 lines of stack; `--debug` (or
KELAHIRAN_DEBUG=1) shows the traceback as well. Recognised here by type and message only, so this
module imports nothing heavy: the libraries' exceptions are matched by their class names.
"""

from __future__ import annotations

import os

DEBUG_HINT = "(--debug shows the traceback)"


def _names(exc: BaseException) -> set[str]:
    return {f"{c.__module__}.{c.__name__}" for c in type(exc).__mro__}


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _temporal_address() -> str:
    from cli.local import read_urls

    return (os.environ.get("TEMPORAL_ADDRESS") or os.environ.get("KELAHIRAN_TEMPORAL_ADDRESS")
            or read_urls().get("temporal") or "127.0.0.1:7233")


def explain(exc: BaseException) -> str:
    """One line: what went wrong and what to do about it."""
    for cause in _chain(exc):
        if line := _explain_one(cause):
            return line
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}{': ' + text[:200] if text else ''} {DEBUG_HINT}"


def _explain_one(exc: BaseException) -> str | None:  # noqa: PLR0911 - one answer per known cause
    names, text = _names(exc), str(exc)
    if "Failed client connect" in text or (
            "temporalio.service.RPCError" in names and getattr(exc, "status", None) is not None
            and exc.status.name in ("UNAVAILABLE", "DEADLINE_EXCEEDED")):
        return (f"cannot reach Temporal at {_temporal_address()}: start the stack (`kelahiran up`) "
                "or set TEMPORAL_ADDRESS")
    if "temporalio.service.RPCError" in names and exc.status.name == "NOT_FOUND":
        return "no such bundle (no workflow with that id in this Temporal namespace)"
    if isinstance(exc, KeyError) and "payload encoding" in text:
        return ("the workflow's data is encrypted and no key to read it is set: run where `kelahiran up` "
                "keeps its data (KELAHIRAN_DATA_DIR) or set KELAHIRAN_PAYLOAD_KEYS")
    if "store.cipher.StateKeyError" in names or "infra.codec.CodecKeyError" in names:
        return f"{text}: set KELAHIRAN_READMODEL_KEYS / KELAHIRAN_PAYLOAD_KEYS to the deployment's keys"
    if "sqlalchemy.exc.OperationalError" in names or "sqlalchemy.exc.ProgrammingError" in names:
        return ("cannot use the read model's database: start the stack (`kelahiran up`), run "
                "`kelahiran migrate`, or set KELAHIRAN_DATABASE_URL")
    if "httpx.ConnectError" in names or "httpx.ConnectTimeout" in names:
        url = getattr(getattr(exc, "request", None), "url", None)
        where = f"{url.scheme}://{url.netloc.decode()}" if url is not None else "the service"
        return f"cannot reach {where}: start the stack (`kelahiran up`) or pass its URL (see --help)"
    if "pydantic_core._pydantic_core.ValidationError" in names and "Settings" in text:
        return f"a setting is invalid: {text.splitlines()[0]} {DEBUG_HINT}"
    return None
