"""Download links and one-time PINs (store/family_access.py), and the notice activity's idempotency."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from activities.family import FamilyNoticeActivities
from adapters.sms.port import Sms, SmsAccepted
from domain.contracts import FamilyNoticeInput
from store import family_access as access
from store.cipher import StateCipher, spec_for_tests
from store.family_models import FamilyAccess
from store.models import Bundle
from tests.support.readmodel import engine_for

CIPHER = StateCipher.from_spec(spec_for_tests())
POLICY = access.Policy(link_days=7, max_attempts=5, session_minutes=30, max_pins=3)
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with engine_for(f"sqlite:///{tmp_path_factory.mktemp('family')}/kelahiran.db", migrate=True) as eng:
        yield eng


def _bundle(engine) -> str:
    bid = str(uuid.uuid4())
    with Session(engine) as s:
        s.add(Bundle(id=bid, hospital_id="RS", record_id=bid[:12], content_hash="0" * 64, status="completed",
                     birth_date=date(2026, 3, 9), received_at=NOW, updated_at=NOW, child_count=1,
                     state_json="{}"))
        s.commit()
    return bid


def _notice(engine, bid: str) -> access.Notice:
    with Session(engine) as s:
        notice = access.prepare_notice(session=s, bundle_id=bid, phone="081234567890", cipher=CIPHER,
                                       policy=POLICY, now=NOW)
    assert notice is not None
    return notice


def _row(engine, token: str) -> tuple[Session, FamilyAccess]:
    s = Session(engine)
    row = access.find(session=s, token=token)
    assert row is not None
    return s, row


def _try(s: Session, row: FamilyAccess, pin: str, now: datetime = NOW) -> str:
    return access.check_pin(session=s, row=row, cipher=CIPHER, pin=pin, policy=POLICY, now=now).outcome


def test_only_hashes_are_stored_and_the_phone_is_encrypted(engine):
    bid = _bundle(engine)
    notice = _notice(engine, bid)
    assert len(notice.pin) == 6 and notice.pin.isdigit() and len(notice.token) >= 27
    with Session(engine) as s:
        row = s.get(FamilyAccess, bid)
        stored = " ".join(str(v) for v in row.model_dump().values())
    assert notice.token not in stored and notice.pin not in stored and "081234567890" not in stored
    assert row.token_hash == access.digest(notice.token) and row.pin_hash.startswith("hmac1:")
    assert CIPHER.decrypt("family_access", bid, row.phone) == "081234567890"
    assert row.expires_at == NOW + timedelta(days=7)


def test_the_right_pin_opens_once_and_a_session_follows(engine):
    notice = _notice(engine, _bundle(engine))
    s, row = _row(engine, notice.token)
    with s:
        opened = access.check_pin(session=s, row=row, cipher=CIPHER, pin=notice.pin, policy=POLICY, now=NOW)
        assert opened.outcome == "opened" and opened.session_token
        assert access.session_ok(row, opened.session_token, NOW + timedelta(minutes=29))
        assert not access.session_ok(row, opened.session_token, NOW + timedelta(minutes=31))
        assert not access.session_ok(row, "another-cookie", NOW)
        assert _try(s, row, notice.pin) == "no_pin"
        assert row.failed_attempts == 0


def test_wrong_pins_lock_the_link_for_good(engine):
    notice = _notice(engine, _bundle(engine))
    wrong = f"{(int(notice.pin) + 1) % 10**6:06d}"
    s, row = _row(engine, notice.token)
    with s:
        remaining = [access.check_pin(session=s, row=row, cipher=CIPHER, pin=wrong, policy=POLICY, now=NOW)
                     for _ in range(4)]
        assert [(r.outcome, r.remaining) for r in remaining] == [("wrong", 4), ("wrong", 3), ("wrong", 2),
                                                                   ("wrong", 1)]
        locked = access.check_pin(session=s, row=row, cipher=CIPHER, pin=wrong, policy=POLICY, now=NOW)
        assert locked.outcome == "locked"
        assert access.status(row, NOW) == "locked"
        assert _try(s, row, notice.pin) != "opened"  # the right PIN no longer helps


def test_a_new_pin_replaces_the_old_one_a_few_times_and_not_too_often(engine):
    notice = _notice(engine, _bundle(engine))
    s, row = _row(engine, notice.token)
    with s:
        assert access.prepare_resend(session=s, row=row, cipher=CIPHER, policy=POLICY, now=NOW) == "wait"
        later = NOW + timedelta(minutes=2)
        resend = access.prepare_resend(session=s, row=row, cipher=CIPHER, policy=POLICY, now=later)
        assert resend.phone == "081234567890" and resend.pin.isdigit()
        if resend.pin != notice.pin:  # one chance in a million that they are the same
            assert _try(s, row, notice.pin, later) == "wrong"
        again = access.prepare_resend(session=s, row=row, cipher=CIPHER, policy=POLICY,
                                      now=later + timedelta(minutes=2))
        assert isinstance(again, access.Resend)
        assert access.prepare_resend(session=s, row=row, cipher=CIPHER, policy=POLICY,
                                     now=later + timedelta(minutes=4)) == "limit"
        assert _try(s, row, again.pin, later) == "opened"


def test_an_expired_or_unknown_link_is_not_found(engine):
    notice = _notice(engine, _bundle(engine))
    s, row = _row(engine, notice.token)
    with s:
        assert access.status(row, NOW + timedelta(days=7)) == "expired"
        assert access.find(session=s, token="x" * 27) is None
        assert access.find(session=s, token="../../etc/passwd") is None


class _Gateway:
    def __init__(self) -> None:
        self.sent: list[Sms] = []

    async def send(self, sms: Sms) -> SmsAccepted:
        self.sent.append(sms)
        return SmsAccepted(message_id=f"m{len(self.sent)}", segments=2)

    async def aclose(self) -> None:
        pass


async def test_the_notice_is_sent_once_even_when_the_activity_runs_again(engine):
    bid, gateway = _bundle(engine), _Gateway()
    acts = FamilyNoticeActivities(engine, CIPHER, gateway, link_base="https://dukcapil.example/",
                                  policy=POLICY)
    first = await acts.notify_family(FamilyNoticeInput(bundle_id=bid, phone="081234567890"))
    again = await acts.notify_family(FamilyNoticeInput(bundle_id=bid, phone="081234567890"))
    assert first.sent and not again.sent
    assert len(gateway.sent) == 1
    sms = gateway.sent[0]
    assert sms.phone == "081234567890" and sms.reference == f"{bid}.pemberitahuan.1"
    assert "https://dukcapil.example/unduh/" in sms.text and "PIN" in sms.text
    token = sms.text.split("/unduh/")[1].split()[0]
    with Session(engine) as s:
        assert access.find(session=s, token=token).bundle_id == bid


def test_production_refuses_the_development_sms_key_and_links_follow_the_public_url():
    from infra.settings import Settings

    prod = dict(environment="production", bpjs_secret="s" * 16, dukcapil_client_secret="d" * 16,
                payload_keys="p1:" + "A" * 43 + "=", readmodel_keys="r1:" + "A" * 43 + "=")
    with pytest.raises(ValueError, match="KELAHIRAN_SMS_API_KEY"):
        Settings(**prod)
    settings = Settings(**prod, sms_api_key="k" * 24, public_url="https://layanan.example/")
    assert settings.family_link_base() == "https://layanan.example"
    assert Settings(environment="test", api_host="0.0.0.0", api_port=8000).family_link_base() == (  # noqa: S104
        "http://127.0.0.1:8000")


def test_the_pin_digest_needs_the_key_and_belongs_to_its_row(engine):
    bid = _bundle(engine)
    notice = _notice(engine, bid)
    with Session(engine) as s:
        stored = s.get(FamilyAccess, bid).pin_hash
    other_key = StateCipher.from_spec("other:" + base64.b64encode(b"o" * 32).decode())
    assert CIPHER.mac_ok("family_access", bid, notice.pin, stored)
    assert not CIPHER.mac_ok("family_access", "another-bundle", notice.pin, stored)  # copied to a row
    assert not other_key.mac_ok("family_access", bid, notice.pin, stored)  # the key is not in the DB
    rotated = StateCipher.from_spec(f"other:{base64.b64encode(b'o' * 32).decode()},{spec_for_tests()}",
                                    current="other")
    assert rotated.mac_ok("family_access", bid, notice.pin, stored)  # older key still configured


def test_without_keys_and_for_older_rows_the_pin_is_argon2id(engine):
    plain = StateCipher({})
    bid = _bundle(engine)
    with Session(engine) as s:
        notice = access.prepare_notice(session=s, bundle_id=bid, phone="081234567890", cipher=plain,
                                       policy=POLICY, now=NOW)
        assert s.get(FamilyAccess, bid).pin_hash.startswith("$argon2id$")
    s, row = _row(engine, notice.token)
    with s:  # a row written without keys (or before keyed digests) opens with a keyed stack too
        assert access.check_pin(session=s, row=row, cipher=CIPHER, pin=notice.pin, policy=POLICY,
                                now=NOW).outcome == "opened"
