"""Hospital API keys: hashed at rest, rotated with a grace period, revoked at once; scoping by key."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session

from api.auth import accounts, keys
from store.auth_models import ApiKey
from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.support import payloads


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/k.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as s:
        accounts.create_hospital(session=s, hospital_id="RS-A", name="RS A")
        yield s
    engine.dispose()


def test_only_a_hash_of_the_secret_is_stored(db):
    issued = keys.issue_key(session=db, hospital_id="RS-A")
    row = db.get(ApiKey, issued.key_id)
    secret = issued.key[len("khk_") + 17:]  # after the prefix and the 16-character key id
    assert secret not in row.model_dump_json()
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert keys.verify_key(session=db, presented=issued.key) == "RS-A"
    assert keys.verify_key(session=db, presented=issued.key[:-1] + "x") is None


def test_rotation_keeps_the_old_key_for_the_grace_period_only(db):
    old = keys.issue_key(session=db, hospital_id="RS-A")
    new = keys.rotate_key(session=db, key_id=old.key_id, grace=timedelta(hours=1))
    assert keys.verify_key(session=db, presented=new.key) == "RS-A"
    assert keys.verify_key(session=db, presented=old.key) == "RS-A"  # still inside the grace period
    keys.rotate_key(session=db, key_id=new.key_id, grace=timedelta(0))
    assert keys.verify_key(session=db, presented=new.key) is None  # no grace: stops now


def test_revoked_keys_and_disabled_hospitals_stop_working(db):
    k = keys.issue_key(session=db, hospital_id="RS-A")
    keys.revoke_key(session=db, key_id=k.key_id)
    assert keys.verify_key(session=db, presented=k.key) is None
    k2 = keys.issue_key(session=db, hospital_id="RS-A")
    accounts.set_hospital_disabled(session=db, hospital_id="RS-A", disabled=True)
    assert keys.verify_key(session=db, presented=k2.key) is None
    with pytest.raises(keys.UnknownKey):
        keys.issue_key(session=db, hospital_id="RS-NONE")


def test_last_use_is_recorded_at_most_every_five_minutes(db):
    k = keys.issue_key(session=db, hospital_id="RS-A")

    def last_used():
        db.expire_all()
        return db.get(ApiKey, k.key_id).last_used_at

    assert last_used() is None
    assert keys.verify_key(session=db, presented=k.key) == "RS-A"
    first = last_used()
    assert first is not None
    recent = first - timedelta(minutes=1)
    db.get(ApiKey, k.key_id).last_used_at = recent
    db.commit()
    assert keys.verify_key(session=db, presented=k.key) == "RS-A"
    assert last_used() == recent  # used a minute ago: not written again
    db.get(ApiKey, k.key_id).last_used_at = first - keys.LAST_USED_EVERY - timedelta(seconds=1)
    db.commit()
    assert keys.verify_key(session=db, presented=k.key) == "RS-A"
    assert last_used() >= first


@pytest.mark.integration
async def test_another_hospitals_bundle_is_indistinguishable_from_a_missing_one(stack):
    bid = await stack.accepted(payloads.manual(), hospital="RSUD-OWNER")
    url = f"{stack.api_url}/v1/births/{bid}"
    mine = await stack.http.get(url, headers=stack.hospital("RSUD-OWNER"))
    theirs = await stack.http.get(url, headers=stack.hospital("RSUD-OTHER"))
    missing = await stack.http.get(f"{stack.api_url}/v1/births/00000000-0000-4000-8000-000000000000",
                                   headers=stack.hospital("RSUD-OTHER"))
    assert mine.status_code == 200
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json()) == (
        404, {"type": "https://kelahiran.dev/problems/not-found", "title": "Not Found", "status": 404,
              "detail": "bundle not found"})
    name = await stack.http.post(f"{url}/children/1/name", json={"name": "Budi"},
                                 headers=stack.hospital("RSUD-OTHER"))
    assert name.status_code == 404


@pytest.mark.integration
async def test_admin_api_issues_rotates_and_revokes_keys(stack):
    admin = await stack.staff("admin")
    api = stack.api_url
    r = await stack.http.post(f"{api}/v1/admin/hospitals", json={"id": "RSUD-NEW", "name": "RSUD Baru"},
                              headers=admin)
    assert r.status_code == 201
    assert (await stack.http.post(f"{api}/v1/admin/hospitals", json={"id": "RSUD-NEW", "name": "x y"},
                                  headers=admin)).status_code == 409
    issued = (await stack.http.post(f"{api}/v1/admin/hospitals/RSUD-NEW/keys", json={"label": "SIMRS"},
                                    headers=admin)).json()
    key = {"X-API-Key": issued["key"]}
    assert (await stack.http.post(f"{api}/v1/births", json=payloads.manual(), headers=key)).status_code == 202
    listed = (await stack.http.get(f"{api}/v1/admin/hospitals/RSUD-NEW/keys", headers=admin)).json()
    assert [k["key_id"] for k in listed] == [issued["key_id"]] and "key" not in listed[0]
    rotated = (await stack.http.post(f"{api}/v1/admin/keys/{issued['key_id']}/rotate",
                                     json={"grace_hours": 0}, headers=admin)).json()
    assert (await stack.http.get(f"{api}/v1/births", headers=key)).status_code == 401
    new = {"X-API-Key": rotated["key"]}
    assert (await stack.http.get(f"{api}/v1/births", headers=new)).status_code == 200
    r = await stack.http.post(f"{api}/v1/admin/keys/{rotated['key_id']}/revoke", headers=admin)
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert (await stack.http.get(f"{api}/v1/births", headers=new)).status_code == 401
    # A hospital key is no way into the operator API.
    other = stack.hospital()
    assert (await stack.http.get(f"{api}/v1/admin/hospitals", headers=other)).status_code == 403
    assert (await stack.http.get(f"{api}/v1/audit", headers=other)).status_code == 403


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_key_cache_answers_for_a_verified_key_until_its_time_is_up(db):
    clock = Clock()
    cache = keys.KeyCache(5, clock=clock)
    issued = keys.issue_key(session=db, hospital_id="RS-A")
    assert cache.hospital_for(issued.key) is None  # never verified: ask the database
    assert keys.verify_key(session=db, presented=issued.key, cache=cache) == "RS-A"
    assert cache.hospital_for(issued.key) == "RS-A"
    assert cache.hospital_for(issued.key[:-1] + ("x" if issued.key[-1] != "x" else "y")) is None
    assert cache.hospital_for("not a key") is None
    clock.now += 5
    assert cache.hospital_for(issued.key) is None  # stale: the database decides again


def test_the_key_cache_keeps_only_successes_and_forgets_on_demand(db):
    cache = keys.KeyCache(60)
    issued = keys.issue_key(session=db, hospital_id="RS-A")
    assert keys.verify_key(session=db, presented=issued.key[:-1] + "x", cache=cache) is None
    assert cache.hospital_for(issued.key) is None
    keys.verify_key(session=db, presented=issued.key, cache=cache)
    keys.revoke_key(session=db, key_id=issued.key_id)
    assert cache.hospital_for(issued.key) == "RS-A"  # a revocation elsewhere: up to the ttl
    cache.forget(issued.key_id)  # what the admin API does in its own process
    assert cache.hospital_for(issued.key) is None
    assert keys.verify_key(session=db, presented=issued.key, cache=cache) is None


def test_the_key_cache_honours_a_rotated_keys_expiry_and_can_be_off(db):
    cache = keys.KeyCache(60)
    old = keys.issue_key(session=db, hospital_id="RS-A")
    keys.rotate_key(session=db, key_id=old.key_id, grace=timedelta(seconds=1))
    assert keys.verify_key(session=db, presented=old.key, cache=cache) == "RS-A"  # in its grace
    assert cache.hospital_for(old.key) == "RS-A"
    row = db.get(ApiKey, old.key_id)
    cache.remember(old.key_id, row.secret_hash, "RS-A", row.expires_at - timedelta(seconds=2))
    assert cache.hospital_for(old.key) is None  # past its expiry, whatever the ttl
    off = keys.KeyCache(0)
    new = keys.issue_key(session=db, hospital_id="RS-A")
    assert keys.verify_key(session=db, presented=new.key, cache=off) == "RS-A"
    assert off.hospital_for(new.key) is None


def test_the_key_cache_is_bounded():
    cache = keys.KeyCache(60, max_keys=2)
    for i in range(3):
        cache.remember(f"{i:016x}", "h", "RS-A", None)
    assert len(cache._known) == 1  # full: started over with the newest
