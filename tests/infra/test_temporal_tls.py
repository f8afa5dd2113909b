"""TLS and mTLS to the Temporal frontend: the settings' checks, and real connections through `connect`.

The dev server speaks plaintext, so a TLS-terminating proxy that requires a client certificate stands
in front of it, with a throwaway CA made for the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import ValidationError
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

from infra.settings import Settings, is_loopback
from infra.temporal_client import connect, tls_config
from tests.support.production import production

# Long enough for a real handshake on a loaded 2-core machine, short enough that a failure
# (which the SDK may retry) does not hang the run.
CONNECT_TIMEOUT = 15


@dataclass
class Pki:
    ca: Path
    other_ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(tmp: Path, stem: str, cn: str, *, issuer: tuple | None = None,
           sans: list[x509.GeneralName] | None = None, usage=None) -> tuple[Path, Path, tuple]:
    """Write `stem.pem` and `stem.key`; without `issuer`, a self-signed CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    signer_cert, signer_key = issuer or (None, key)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn))
               .issuer_name(signer_cert.subject if signer_cert else _name(cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5))
               .not_valid_after(now + timedelta(days=1))
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True))
    if issuer is None:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(signer_key, hashes.SHA256())
    (tmp / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / f"{stem}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return tmp / f"{stem}.pem", tmp / f"{stem}.key", (cert, key)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    tmp = tmp_path_factory.mktemp("pki")
    ca, _, ca_pair = _issue(tmp, "ca", "kelahiran test CA")
    other_ca, _, _ = _issue(tmp, "other-ca", "someone else's CA")
    sans = [x509.DNSName("localhost"), x509.DNSName("temporal-frontend"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server_cert, server_key, _ = _issue(tmp, "server", "temporal-frontend", issuer=ca_pair, sans=sans,
                                        usage=ExtendedKeyUsageOID.SERVER_AUTH)
    client_cert, client_key, _ = _issue(tmp, "client", "kelahiran-worker", issuer=ca_pair,
                                        usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(ca, other_ca, server_cert, server_key, client_cert, client_key)


class MtlsProxy:
    """Terminates TLS (client certificate required, ALPN h2 for gRPC) and forwards to a plaintext port."""

    def __init__(self, pki: Pki, upstream: str) -> None:
        self.upstream_host, port = upstream.rsplit(":", 1)
        self.upstream_port = int(port)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca))
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_cert_chain(pki.server_cert, pki.server_key)
        self.context.set_alpn_protocols(["h2"])
        self.peers: list[str] = []  # the verified client certificates' common names
        self.refused: list[str] = []  # why handshakes failed, in OpenSSL's words
        self.forwarded = 0  # connections passed on to Temporal
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.setblocking(False)
        self.tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> MtlsProxy:
        self._spawn(self._accept())
        return self

    async def __aexit__(self, *exc) -> None:
        self.listener.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.listener.getsockname()[1]}"

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(self.listener)
            self._spawn(self._handle(conn))

    async def _handle(self, conn: socket.socket) -> None:
        # The handshake by hand rather than start_server(ssl=...), which fails it silently.
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol, conn, ssl=self.context, ssl_handshake_timeout=5)
        except (ssl.SSLError, OSError, TimeoutError) as exc:
            self.refused.append(getattr(exc, "reason", None) or type(exc).__name__)
            conn.close()
            return
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        assert writer.get_extra_info("ssl_object").selected_alpn_protocol() == "h2"
        subject = (writer.get_extra_info("peercert") or {}).get("subject", ())
        self.peers.extend(v for rdn in subject for k, v in rdn if k == "commonName")
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        self.forwarded += 1

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxy(pki, temporal_env):
    async with MtlsProxy(pki, temporal_env.client.service_client.config.target_host) as p:
        yield p


def tls_settings(pki: Pki, address: str, **overrides) -> Settings:
    values = dict(environment="test", temporal_address=address,
                  temporal_tls_server_ca_cert_path=pki.ca,
                  temporal_tls_client_cert_path=pki.client_cert,
                  temporal_tls_client_key_path=pki.client_key)
    return Settings(**{**values, **overrides})


async def describe_default(settings: Settings):
    client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT)
    return await asyncio.wait_for(
        client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default")),
        CONNECT_TIMEOUT)


# --- real connections -------------------------------------------------------------------------
# The SDK raises a bare RuntimeError carrying the transport's message; the proxy's side of each
# refusal is OpenSSL's reason.

@pytest.mark.integration
async def test_mtls_connects_through_the_proxy(pki, proxy):
    reply = await describe_default(tls_settings(pki, proxy.address))
    assert reply.namespace_info.name == "default"
    assert "kelahiran-worker" in proxy.peers  # the proxy verified our client certificate
    assert proxy.forwarded >= 1 and proxy.refused == []


@pytest.mark.integration
async def test_the_server_name_override_is_what_the_certificate_is_checked_against(pki, proxy):
    ok = tls_settings(pki, proxy.address, temporal_tls_server_name="temporal-frontend")
    assert (await describe_default(ok)).namespace_info.name == "default"
    wrong = tls_settings(pki, proxy.address, temporal_tls_server_name="not-the-frontend")
    with pytest.raises(RuntimeError, match="NotValidForName"):
        await describe_default(wrong)


@pytest.mark.integration
async def test_without_a_client_certificate_the_frontend_refuses(pki, proxy):
    settings = tls_settings(pki, proxy.address, temporal_tls_client_cert_path=None,
                            temporal_tls_client_key_path=None)
    assert tls_config(settings).client_cert is None
    with pytest.raises(RuntimeError, match="Failed client connect"):
        await describe_default(settings)
    assert set(proxy.refused) == {"PEER_DID_NOT_RETURN_A_CERTIFICATE"}  # the SDK may try twice
    assert proxy.forwarded == 0


@pytest.mark.integration
async def test_a_server_certificate_from_another_ca_is_refused(pki, proxy):
    with pytest.raises(RuntimeError, match="UnknownIssuer"):
        await describe_default(
            tls_settings(pki, proxy.address, temporal_tls_server_ca_cert_path=pki.other_ca))
    assert set(proxy.refused) == {"TLSV1_ALERT_UNKNOWN_CA"}  # the client gave up first
    assert proxy.peers == [] and proxy.forwarded == 0


@pytest.mark.integration
async def test_plaintext_to_the_tls_port_fails(proxy):
    settings = Settings(environment="test", temporal_address=proxy.address)
    assert tls_config(settings) is False
    with pytest.raises(RuntimeError, match="Failed client connect"):
        await describe_default(settings)
    assert proxy.refused and proxy.forwarded == 0


# --- settings ---------------------------------------------------------------------------------

def test_temporal_variable_names_are_read(pki, monkeypatch):
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(pki.ca))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(pki.client_cert))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(pki.client_key))
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "temporal-frontend")
    monkeypatch.setenv("TEMPORAL_API_KEY", "k-123")
    settings = Settings(environment="test")
    tls = tls_config(settings)
    assert tls.server_root_ca_cert == pki.ca.read_bytes()
    assert tls.client_cert == pki.client_cert.read_bytes()
    assert tls.client_private_key == pki.client_key.read_bytes()
    assert tls.domain == "temporal-frontend"
    assert settings.temporal_api_key == "k-123" and "k-123" not in repr(settings)


def test_kelahiran_prefixed_names_work_too(pki, monkeypatch):
    monkeypatch.setenv("KELAHIRAN_TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(pki.ca))
    monkeypatch.setenv("KELAHIRAN_TEMPORAL_ALLOW_PLAINTEXT", "true")  # ours alone: Temporal has none
    settings = Settings()
    assert settings.temporal_tls_server_ca_cert_path == pki.ca
    assert settings.temporal_allow_plaintext is True


def test_tls_is_on_when_anything_tls_is_given_unless_explicitly_off(pki):
    assert Settings().temporal_tls_enabled is False
    assert Settings(temporal_tls=True).temporal_tls_enabled is True  # system roots
    assert Settings(temporal_tls_server_ca_cert_path=pki.ca).temporal_tls_enabled is True
    assert Settings(temporal_api_key="k").temporal_tls_enabled is True
    assert Settings(temporal_api_key="k", temporal_tls=False).temporal_tls_enabled is False


@pytest.mark.parametrize("missing", ["temporal_tls_client_cert_path", "temporal_tls_client_key_path"])
def test_a_client_certificate_needs_its_key_and_vice_versa(pki, missing):
    values = {"temporal_tls_client_cert_path": pki.client_cert,
              "temporal_tls_client_key_path": pki.client_key}
    del values[missing]
    with pytest.raises(ValidationError, match="go together"):
        Settings(**values)


def test_missing_or_wrong_files_are_refused_at_start_up(pki, tmp_path):
    with pytest.raises(ValidationError, match=r"TEMPORAL_TLS_SERVER_CA_CERT_PATH=.*cannot be read"):
        Settings(temporal_tls_server_ca_cert_path=tmp_path / "nope.pem")
    with pytest.raises(ValidationError, match="CLIENT_KEY_PATH=.*not a PEM file with a private key"):
        Settings(temporal_tls_client_cert_path=pki.client_cert, temporal_tls_client_key_path=pki.client_cert)
    with pytest.raises(ValidationError, match="contradicts"):
        Settings(temporal_tls=False, temporal_tls_server_ca_cert_path=pki.ca)


def test_production_refuses_plaintext_to_a_remote_temporal(pki):
    # Everything else production insists on, so that only the Temporal transport is in question.
    prod = production(temporal_address=None)
    with pytest.raises(ValidationError, match="refuses plaintext to Temporal at temporal:7233"):
        Settings(**prod, temporal_address="temporal:7233")
    with pytest.raises(ValidationError, match="refuses plaintext"):  # an API key in clear is no better
        Settings(**prod, temporal_address="temporal:7233", temporal_api_key="k", temporal_tls=False)
    assert Settings(**prod, temporal_address="temporal:7233", temporal_allow_plaintext=True)
    assert Settings(**prod, temporal_address="temporal:7233", temporal_tls_server_ca_cert_path=pki.ca)
    assert Settings(**prod, temporal_address="127.0.0.1:7233")


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1:7233", True), ("localhost:7233", True), ("[::1]:7233", True), ("127.0.0.2:7233", True),
    ("temporal:7233", False), ("10.0.0.5:7233", False), ("[2001:db8::1]:7233", False),
    ("localhost.example.com:7233", False),
])
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def test_every_client_and_worker_connects_through_connect():
    """The TLS settings only protect connections made by `infra.temporal_client.connect`."""
    repo = Path(__file__).resolve().parents[2]
    packages = ("domain", "workflows", "activities", "adapters", "infra", "store", "cli", "tools", "api")
    direct = [str(p.relative_to(repo)) for pkg in packages for p in (repo / pkg).rglob("*.py")
              if "Client.connect(" in p.read_text() and p.name != "temporal_client.py"]
    # The benchmark drives a local plaintext stack with its own floor worker (TEMPORAL_* cleared).
    assert direct == ["tools/bench/run.py"]
