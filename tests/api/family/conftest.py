"""The console's headless Chromium fixtures (one profile per test, page errors fail it), reused."""

from tests.api.console.conftest import browser, page  # noqa: F401 - fixtures, registered by import
