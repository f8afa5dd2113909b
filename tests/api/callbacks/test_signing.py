"""Signatures: Standard Webhooks, checked with the specification's reference library, and the
deprecated X-Kelahiran-Signature still sent during its deprecation period."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import date

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from adapters.webhooks import signing
from adapters.webhooks.delivery import headers_for
from infra.settings import Settings

BODY = b'{"id":"6a1c","type":"bundle.completed","status":"completed"}'
EVENT_ID = "6a1c0000-0000-4000-8000-000000000001"


def standard(secrets: list[str], ts: int | None = None, body: bytes = BODY) -> dict[str, str]:
    return headers_for(secrets=secrets, event_id=EVENT_ID, event_type="bundle.completed", body=body,
                       timestamp=int(time.time()) if ts is None else ts, legacy=False)


def test_the_reference_library_verifies_what_we_send():
    secret = signing.new_secret()
    headers = standard([secret])
    assert Webhook(secret).verify(BODY, headers) == {"id": "6a1c", "type": "bundle.completed",
                                                      "status": "completed"}
    assert headers["webhook-id"] == EVENT_ID and headers["webhook-signature"].startswith("v1,")
    assert "X-Kelahiran-Signature" not in headers  # after the deprecation period


def test_secrets_have_the_specification_format():
    a, b = signing.new_secret(), signing.new_secret()
    assert a != b and a.startswith("whsec_")
    assert len(base64.b64decode(a.removeprefix("whsec_"))) == 32  # 24 to 64 bytes per the specification


def test_it_is_a_base64_hmac_of_id_dot_timestamp_dot_body_keyed_with_the_decoded_secret():
    raw = bytes(range(32))
    secret, ts = "whsec_" + base64.b64encode(raw).decode(), 1764300000
    mac = hmac.new(raw, f"{EVENT_ID}.{ts}.".encode() + BODY, hashlib.sha256).digest()
    assert signing.standard_signature(secret, EVENT_ID, ts, BODY) == "v1," + base64.b64encode(mac).decode()


@pytest.mark.parametrize("tamper", ["body", "id", "timestamp", "secret", "stale"])
def test_tampering_another_secret_or_a_stale_timestamp_fail(tamper):
    secret, ts = signing.new_secret(), int(time.time())
    headers, body, check_with = standard([secret], ts), BODY, secret
    if tamper == "body":
        body = BODY.replace(b"completed", b"closed")
    elif tamper == "id":
        headers["webhook-id"] = EVENT_ID[:-1] + "2"  # a replay presented as another event
    elif tamper == "timestamp":
        headers["webhook-timestamp"] = str(ts + 1)
    elif tamper == "secret":
        check_with = signing.new_secret()
    else:
        headers = standard([secret], ts - 3600)
    with pytest.raises(WebhookVerificationError):
        Webhook(check_with).verify(body, headers)


def test_during_a_rotation_either_secret_verifies():
    old, new = signing.new_secret(), signing.new_secret()
    headers = standard([new, old])
    assert headers["webhook-signature"].count("v1,") == 2 and " " in headers["webhook-signature"]
    Webhook(new).verify(BODY, headers)
    Webhook(old).verify(BODY, headers)


def test_a_secret_from_before_the_switch_signs_standard_webhooks_under_its_whsec_form():
    """khs_ secrets keep working: their Standard Webhooks form is whsec_ + base64(the whole string)."""
    old = "khs_" + "A" * 43
    headers = standard([old])
    Webhook(signing.standard_secret(old)).verify(BODY, headers)
    assert signing.standard_secret(old) == "whsec_" + base64.b64encode(old.encode()).decode()


def test_the_deprecated_signature_comes_along_until_the_configured_day():
    secret, ts = signing.new_secret(), int(time.time())
    headers = headers_for(secrets=[secret], event_id=EVENT_ID, event_type="bundle.completed", body=BODY,
                          timestamp=ts, legacy=True)
    Webhook(secret).verify(BODY, headers)  # both at once
    assert headers["X-Kelahiran-Timestamp"] == headers["webhook-timestamp"]
    assert signing.verify(secret, headers["X-Kelahiran-Timestamp"], headers["X-Kelahiran-Signature"], BODY)
    assert Settings().callback_legacy_signature_until == date(2027, 3, 7)  # documented in callbacks.md


def test_the_deprecated_scheme_still_checks_as_documented_before():
    secret, ts = signing.new_secret(), int(time.time())
    header = signing.signature_header([secret], ts, BODY)
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"v1={expected}"
    assert not signing.verify(secret, str(ts), header, BODY, now=ts + 301)
    assert not signing.verify(secret, "yesterday", header, BODY)


def _snippet(language: str, marker: str) -> str:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "callbacks.md").read_text()
    return next(b for b in doc.split(f"```{language}\n")[1:] if marker in b).split("```")[0]


def test_the_documented_python_check_accepts_our_deliveries():
    """The Python docs/callbacks.md gives hospitals, run against what we send."""
    scope: dict = {}
    exec(_snippet("python", "def is_authentic"), scope)  # noqa: S102 - our own documentation
    secret = signing.new_secret()
    headers = standard([signing.new_secret(), secret])
    assert scope["is_authentic"](secret, headers, BODY)
    assert not scope["is_authentic"](secret, headers, BODY + b" ")
    assert not scope["is_authentic"](signing.new_secret(), headers, BODY)
    assert not scope["is_authentic"](secret, standard([secret], int(time.time()) - 3600), BODY)


def test_the_documented_node_check_accepts_our_deliveries(tmp_path):
    """The JavaScript docs/callbacks.md gives, run by Node.js against what we send."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    assert node, "Node.js is needed (the Quickstart installs it)"
    secret = signing.new_secret()
    good = standard([signing.new_secret(), secret])
    cases = [(secret, good, BODY, True), (secret, good, BODY + b" ", False),
             (signing.new_secret(), good, BODY, False),
             (secret, standard([secret], int(time.time()) - 3600), BODY, False),
             (secret, {**good, "webhook-id": "another"}, BODY, False)]
    script = tmp_path / "check.js"
    script.write_text(_snippet("javascript", "function isAuthentic") + """
const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const lower = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
console.log(JSON.stringify(cases.map(([s, h, b]) => isAuthentic(s, lower(h), Buffer.from(b, "base64")))));
""")
    payload = json.dumps([[s, h, base64.b64encode(b).decode()] for s, h, b, _ in cases])
    out = subprocess.run([node, str(script)], input=payload, capture_output=True, text=True, timeout=30,
                         check=True)
    assert json.loads(out.stdout) == [want for *_, want in cases]
