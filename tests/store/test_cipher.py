"""Stored states are encrypted at rest, on real SQLite and the real PostgreSQL."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col
from typer.testing import CliRunner

from cli import app
from domain.contracts import BundleState, FollowUpKind, FollowUpState
from infra.settings import Settings
from store import bundles, crud
from store import family_access as access
from store.cipher import TEST_KEY_ID, StateCipher, StateKeyError, spec_for_tests
from store.db import make_engine
from store.models import Bundle, FollowUp
from store.reencrypt import reencrypt
from tests.support import payloads
from tests.support.pii import has_nik_like
from tests.support.production import production
from tests.support.readmodel import write_state
from tests.support.states import CHILD_NIK, KK, personal_state

CIPHER = StateCipher.from_spec(spec_for_tests())


def _key(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def _raw(engine, table: str, key: str, row_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT state_json FROM {table} WHERE {key} = :id"),  # noqa: S608
                            {"id": row_id}).scalar_one()


def _write(engine, st: BundleState, cipher: StateCipher = CIPHER) -> None:
    with Session(engine) as s:
        assert write_state(s, st, cipher)


def _read(engine, bundle_id: str, cipher: StateCipher = CIPHER) -> BundleState:
    with Session(engine) as s:
        row = crud.get_bundle(session=s, bundle_id=bundle_id)
        return bundles.load_state(session=s, row=row, cipher=cipher)


def test_rows_hold_no_personal_data_and_read_back(engine):
    st = personal_state()
    fu = FollowUpState(workflow_id=f"{st.bundle_id}-death-1", bundle_id=st.bundle_id, kind=FollowUpKind.DEATH,
                       birth_order=1, documents={"akta_kematian": "3673-KM-01012027-0001"}, version=1)
    _write(engine, st)
    with Session(engine) as s:
        assert crud.apply_follow_up(session=s, state=fu, cipher=CIPHER)
    raw = _raw(engine, "bundle", "id", st.bundle_id)
    assert raw.startswith(f"enc1:{TEST_KEY_ID}:")
    assert CHILD_NIK not in raw and KK not in raw and "Rina" not in raw and not has_nik_like(raw)
    raw_fu = _raw(engine, "follow_up", "workflow_id", fu.workflow_id)
    assert raw_fu.startswith(f"enc1:{TEST_KEY_ID}:") and "3673-KM" not in raw_fu
    assert _read(engine, st.bundle_id) == st
    with Session(engine) as s:
        assert crud.follow_ups_of(session=s, bundle_id=st.bundle_id, cipher=CIPHER) == [fu]


def test_a_wrong_or_missing_key_is_a_clear_error(engine):
    st = personal_state()
    _write(engine, st)
    with pytest.raises(StateKeyError, match=f"bundle {st.bundle_id} does not decrypt .* {TEST_KEY_ID!r}"):
        _read(engine, st.bundle_id, StateCipher.from_spec(f"{TEST_KEY_ID}:{_key('x').split(':')[1]}"))
    with pytest.raises(StateKeyError, match="key 'test-only-rm', which is not configured"):
        _read(engine, st.bundle_id, StateCipher.from_spec(_key("other")))
    with pytest.raises(StateKeyError, match="not configured"):
        _read(engine, st.bundle_id, StateCipher({}))  # no keys at all


def test_rotation_old_rows_open_new_writes_use_the_new_key_and_reencrypt_moves_them(engine):
    old, new = _key("k1"), _key("k2")
    first, second = personal_state(), personal_state()
    _write(engine, first, StateCipher.from_spec(old))
    rotated = StateCipher.from_spec(f"{new},{old}", "k2")
    assert _read(engine, first.bundle_id, rotated) == first  # the old key still opens it
    _write(engine, second, rotated)
    assert _raw(engine, "bundle", "id", second.bundle_id).startswith("enc1:k2:")
    assert _raw(engine, "bundle", "id", first.bundle_id).startswith("enc1:k1:")

    dry = reencrypt(engine, rotated, dry_run=True)
    assert (dry.rewritten["bundle"], dry.current["bundle"]) == (1, 1)
    assert _raw(engine, "bundle", "id", first.bundle_id).startswith("enc1:k1:")
    done = reencrypt(engine, rotated)
    assert (done.rewritten["bundle"], done.current["bundle"], done.failed) == (1, 1, [])
    assert _raw(engine, "bundle", "id", first.bundle_id).startswith("enc1:k2:")
    assert _read(engine, first.bundle_id, StateCipher.from_spec(new)) == first  # k1 can be retired


def test_plain_json_rows_from_before_encryption_are_read_and_reencrypted(engine):
    st = personal_state()
    _write(engine, st, StateCipher({}))  # what a read model written before this change holds
    assert _raw(engine, "bundle", "id", st.bundle_id).startswith("{")
    assert _read(engine, st.bundle_id) == st
    assert reencrypt(engine, CIPHER).rewritten["bundle"] == 1
    assert _raw(engine, "bundle", "id", st.bundle_id).startswith(f"enc1:{TEST_KEY_ID}:")
    assert _read(engine, st.bundle_id) == st


def test_a_ciphertext_copied_into_another_row_does_not_open(engine):
    a, b = personal_state(), personal_state()
    _write(engine, a)
    _write(engine, b)
    with Session(engine) as s:
        s.exec(sa.update(Bundle).where(col(Bundle.id) == b.bundle_id)
               .values(state_json=_raw(engine, "bundle", "id", a.bundle_id)))
        s.commit()
    assert _read(engine, a.bundle_id) == a
    with pytest.raises(StateKeyError, match="copied from another row"):
        _read(engine, b.bundle_id)


def test_a_follow_up_ciphertext_does_not_open_as_a_bundle():
    sealed = CIPHER.encrypt(FollowUp.__tablename__, "x", "{}")
    with pytest.raises(StateKeyError):
        CIPHER.decrypt(Bundle.__tablename__, "x", sealed)
    with pytest.raises(StateKeyError, match="neither"):
        CIPHER.decrypt("bundle", "x", "garbage")


def test_reencrypt_command(db_url, engine):
    st = personal_state()
    _write(engine, st, StateCipher({}))
    env = {"KELAHIRAN_DATABASE_URL": db_url, "KELAHIRAN_READMODEL_KEYS": spec_for_tests()}
    res = CliRunner().invoke(app, ["readmodel", "reencrypt"], env=env)
    assert res.exit_code == 0, res.output
    assert "bundle     1 rewritten, 0 already under key" in res.output
    assert _raw(engine, "bundle", "id", st.bundle_id).startswith("enc1:")
    res = CliRunner().invoke(app, ["readmodel", "reencrypt"], env={**env, "KELAHIRAN_READMODEL_KEYS": ""})
    assert res.exit_code == 2 and "no read-model keys" in res.output


def test_production_refuses_to_start_without_read_model_keys_or_with_the_test_key():
    prod = production(readmodel_keys=None)
    with pytest.raises(ValueError, match="KELAHIRAN_READMODEL_KEYS must be set"):
        Settings(**prod)
    with pytest.raises(ValueError, match="test-only read-model keys"):
        Settings(**prod, readmodel_keys=spec_for_tests())
    assert Settings(**prod, readmodel_keys=_key("rm1")).readmodel_cipher().current == "rm1"
    with pytest.raises(StateKeyError, match="32 bytes"):
        Settings(readmodel_keys="k:c2hvcnQ=").readmodel_cipher()


def test_up_makes_a_local_read_model_key_once(tmp_path):
    from cli.up import Ports, Stack, _readmodel_keys

    stack = Stack(host="127.0.0.1", ports=Ports(*range(1, 8)), data=tmp_path)
    env = _readmodel_keys(stack, Settings(environment="development"))
    assert env["KELAHIRAN_READMODEL_KEY_ID"] == "local-1"
    assert (tmp_path / "readmodel-keys").stat().st_mode & 0o777 == 0o600
    assert _readmodel_keys(stack, Settings(environment="development")) == env  # kept across restarts
    assert StateCipher.from_spec(env["KELAHIRAN_READMODEL_KEYS"]).current == "local-1"


@pytest.mark.integration
async def test_the_running_system_stores_only_ciphertext(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam))
    bundle = await stack.wait(bid)
    nik = bundle["children"][0]["services"]["nik"]["document_number"]
    assert bundle["status"] == "completed" and bundle["kk"]["document_number"] == fam["no_kk"]
    engine = make_engine(stack.settings.database_url)
    try:
        raw = _raw(engine, "bundle", "id", bid)
    finally:
        engine.dispose()
    assert raw.startswith(f"enc1:{TEST_KEY_ID}:")
    assert nik not in raw and fam["no_kk"] not in raw and not has_nik_like(raw)


def test_reencrypt_moves_pending_starts_and_family_phones_to_the_new_key(engine):
    old, new = _key("k1"), _key("k2")
    first, rotated = StateCipher.from_spec(old), StateCipher.from_spec(f"{new},{old}", "k2")
    st = personal_state()
    with Session(engine) as s:  # accepted, not started yet: its workflow input is kept encrypted
        assert bundles.insert_received(session=s, state=st, cipher=first, start_input_json='{"nik": "x"}')
        access.prepare_notice(session=s, bundle_id=st.bundle_id, phone="081234567890", cipher=first,
                              policy=access.Policy(), now=datetime.now(UTC))

    def raw(column: str, table: str) -> str:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT {column} FROM {table} WHERE bundle_id = :id"),  # noqa: S608
                                {"id": st.bundle_id}).scalar_one()

    assert raw("input_json", "pending_start").startswith("enc1:k1:")
    done = reencrypt(engine, rotated)
    assert (done.rewritten["pending_start"], done.rewritten["family_access"], done.failed) == (1, 1, [])
    retired = StateCipher.from_spec(new)  # k1 can go
    kept = raw("input_json", "pending_start")
    assert retired.decrypt("pending_start", st.bundle_id, kept) == '{"nik": "x"}'
    assert retired.decrypt("family_access", st.bundle_id, raw("phone", "family_access")) == "081234567890"
