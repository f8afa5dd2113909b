"""The console's page fixture (one profile per test, page errors fail it), reused.

The browser itself is tests/api/conftest.py's."""

from tests.api.console.conftest import page  # noqa: F401 - a fixture, registered by import
