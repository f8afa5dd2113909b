"""Structured JSON logs for every process, with NIK/KK-shaped numbers masked as a last line of defence."""

from __future__ import annotations

import logging
import re
import sys

import structlog

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _mask_identifiers(_logger, _name, event_dict: dict) -> dict:
    # NIK and KK numbers are 16 digits; nothing we log legitimately is.
    for key, value in event_dict.items():
        if isinstance(value, str) and _SIXTEEN_DIGITS.search(value):
            event_dict[key] = _SIXTEEN_DIGITS.sub("<16-digit-redacted>", value)
    return event_dict


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Route structlog and stdlib (uvicorn, temporalio, httpx) records through one formatter."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _mask_identifiers,
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # httpx logs full request URLs at INFO; ours carry no personal data, but keep the noise down.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
