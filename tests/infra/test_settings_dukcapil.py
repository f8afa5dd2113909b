"""Settings: our Dukcapil client credentials, and production refusing the development secret."""

from __future__ import annotations

import pytest

from infra.settings import DEV_DUKCAPIL_CLIENT_SECRET, Settings


def test_development_defaults_match_the_simulator():
    from simulators.dukcapil.settings import DukcapilSimSettings

    ours, sim = Settings(_env_file=None), DukcapilSimSettings()
    assert (ours.dukcapil_client_id, ours.dukcapil_client_secret) == (sim.client_id, sim.client_secret)


def test_the_secret_never_shows_in_repr():
    assert DEV_DUKCAPIL_CLIENT_SECRET not in repr(Settings())


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.delenv("KELAHIRAN_DUKCAPIL_CLIENT_SECRET", raising=False)
    with pytest.raises(ValueError, match="KELAHIRAN_DUKCAPIL_CLIENT_SECRET"):
        Settings(environment="production", bpjs_secret="real-bpjs-secret")
    with pytest.raises(ValueError, match="KELAHIRAN_DUKCAPIL_CLIENT_SECRET"):
        Settings(environment="production", bpjs_secret="real-bpjs-secret",
                 dukcapil_client_secret=DEV_DUKCAPIL_CLIENT_SECRET)


def test_production_takes_a_real_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("KELAHIRAN_DUKCAPIL_CLIENT_SECRET", "a-real-dukcapil-secret")
    try:
        settings = Settings(environment="production", bpjs_secret="real-bpjs-secret")
    except ValueError as exc:  # another production requirement (keys, TLS) is not met here
        assert "DUKCAPIL" not in str(exc)
    else:
        assert settings.dukcapil_client_secret == "a-real-dukcapil-secret"
