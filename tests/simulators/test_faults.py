"""The fault book on its own: rule format, reproducible decisions, counters and privacy."""

from __future__ import annotations

import logging
import statistics
import threading
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from simulators.common.faults import Call, Fault, FaultBook

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
NIK = "3673015504910001"


def book_with(*rules: dict) -> FaultBook:
    book = FaultBook()
    for r in rules:
        book.add(Fault.model_validate(r), now=NOW)
    return book


def decide(book: FaultBook, endpoint: str = "akta", key: str = "k", *, seed: int = 7,
           now: datetime = NOW, ids: frozenset[str] = frozenset()):
    return book.decide(Call(endpoint=endpoint, key=key, identifiers=ids), seed=seed, now=now)


def test_the_original_rule_fails_n_calls_then_disappears():
    book = book_with({"endpoint": "enrol_newborn", "status_code": 503, "remaining": 3})
    outcomes = [decide(book, "enrol_newborn", f"k{i}") for i in range(4)]
    assert [(d.outcome, d.status_code) for d in outcomes] == [("error", 503)] * 3 + [(None, None)]
    assert book.list() == []


def test_wildcard_and_other_endpoints():
    book = book_with({"endpoint": "*", "status_code": 429})
    assert decide(book, "lookup").status_code == decide(book, "status").status_code == 429
    book = book_with({"endpoint": "kia", "status_code": 500})
    assert decide(book, "akta").outcome is None


def test_decisions_depend_only_on_seed_endpoint_key_and_attempt():
    rules = ({"id": "flaky", "endpoint": "*", "error_rate": 0.5,
              "latency": {"kind": "uniform", "min_ms": 0, "max_ms": 100}},)
    keys = [f"key-{i}" for i in range(40)]

    def run(order: list[str]) -> dict[str, list[tuple]]:
        book, seen = book_with(*rules), {k: [] for k in keys}
        for k in order:
            d = decide(book, "register_birth", k)
            seen[k].append((d.attempt, d.outcome, round(d.latency_s, 9)))
        return seen

    sequential = run([k for k in keys for _ in range(3)])
    assert run([k for _ in range(3) for k in reversed(keys)]) == sequential  # interleaved
    assert {o for per_key in sequential.values() for _, o, _ in per_key} == {None, "error"}
    assert [a for a, _, _ in sequential["key-0"]] == [0, 1, 2]
    # Another seed, endpoint or attempt gives other draws.
    other = book_with(*rules)
    assert [decide(other, "register_birth", k, seed=8).outcome for k in keys] != [
        s[0][1] for s in sequential.values()]


def test_concurrent_threads_do_not_change_per_key_decisions():
    rules = ({"id": "r", "endpoint": "status", "error_rate": 0.3,
              "latency": {"kind": "normal", "mean_ms": 50, "stddev_ms": 20}},)
    keys = [f"card-{i}" for i in range(200)]

    def one(book: FaultBook, key: str) -> list[tuple]:
        return [(d.outcome, d.latency_s) for d in (decide(book, "status", key) for _ in range(5))]

    alone = {k: one(book_with(*rules), k) for k in keys}
    shared, together = book_with(*rules), {}

    def worker(chunk: list[str]) -> None:
        for k in chunk:
            together[k] = one(shared, k)

    threads = [threading.Thread(target=worker, args=(keys[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


def test_reset_forgets_attempts_so_a_run_repeats():
    book = book_with({"id": "r", "endpoint": "*", "error_rate": 0.5})
    first = [decide(book, key="same").outcome for _ in range(20)]
    book.reset()
    book.add(Fault(id="r", endpoint="*", error_rate=0.5))
    assert [decide(book, key="same").outcome for _ in range(20)] == first


def test_latency_distributions():
    fixed = book_with({"endpoint": "*", "latency": 120})
    assert decide(fixed).latency_s == pytest.approx(0.12) and decide(fixed).outcome is None
    uniform = book_with({"endpoint": "*", "latency": {"kind": "uniform", "min_ms": 10, "max_ms": 30}})
    drawn = [decide(uniform, key=f"k{i}").latency_s for i in range(500)]
    assert 0.010 <= min(drawn) and max(drawn) <= 0.030
    assert statistics.mean(drawn) == pytest.approx(0.02, abs=2e-3)
    normal = book_with({"endpoint": "*", "latency": {"kind": "normal", "mean_ms": 10, "stddev_ms": 20}})
    drawn = [decide(normal, key=f"k{i}").latency_s for i in range(2000)]
    assert min(drawn) == 0.0  # clipped
    assert statistics.median(drawn) == pytest.approx(0.010, abs=2e-3)


def test_error_and_timeout_rates_are_roughly_kept():
    book = book_with({"endpoint": "*", "error_rate": 0.3, "status_code": 502})
    outcomes = [decide(book, key=f"k{i}") for i in range(2000)]
    errors = [d for d in outcomes if d.outcome == "error"]
    assert len(errors) / 2000 == pytest.approx(0.3, abs=0.04) and {d.status_code for d in errors} == {502}
    book = book_with({"endpoint": "*", "timeout": {"effect": "applied", "rate": 0.2, "hold_seconds": 1}})
    timeouts = [d for i in range(2000) if (d := decide(book, key=f"k{i}")).outcome == "timeout"]
    assert len(timeouts) / 2000 == pytest.approx(0.2, abs=0.04)
    assert timeouts[0].timeout.effect == "applied" and timeouts[0].status_code == 504


def test_outage_window_absolute_and_relative():
    start = NOW + timedelta(hours=1)
    book = book_with({"endpoint": "*", "outage": {"start": start.isoformat(),
                                                  "end": (start + timedelta(hours=2)).isoformat()}})
    assert decide(book, now=start - timedelta(seconds=1)).outcome is None
    assert decide(book, now=start).status_code == 503
    assert decide(book, now=start + timedelta(hours=2)).outcome is None  # end is exclusive
    book = book_with({"endpoint": "status", "outage": {"for_seconds": 60, "status_code": 502}})
    assert book.list()[0].outage.start == NOW and book.list()[0].outage.end == NOW + timedelta(minutes=1)
    assert decide(book, "status", now=NOW + timedelta(seconds=59)).status_code == 502
    assert decide(book, "status", now=NOW + timedelta(seconds=60)).outcome is None


def test_rejection_only_for_the_listed_identifiers():
    book = book_with({"endpoint": "akta", "reject": {"kode": "IBU_TIDAK_DI_KK", "nik": [NIK]}})
    assert decide(book, ids=frozenset({"3673010101010001"})).outcome is None
    d = decide(book, ids=frozenset({NIK, "3673010101010001"}))
    assert d.outcome == "reject" and d.rejection.kode == "IBU_TIDAK_DI_KK" and d.status_code == 422
    everyone = book_with({"endpoint": "akta", "reject": {"kode": "X_Y"}})
    assert decide(everyone).outcome == "reject"


def test_latency_accumulates_until_a_rule_decides():
    book = book_with({"id": "slow", "endpoint": "*", "latency": 10},
                     {"id": "down", "endpoint": "kia", "status_code": 500},
                     {"id": "never", "endpoint": "kia", "status_code": 502})
    d = decide(book, "kia")
    assert (d.rule_id, d.status_code, d.latency_s) == ("down", 500, pytest.approx(0.01))
    views = {v.id: v for v in book.list()}
    assert (views["slow"].hits, views["down"].hits, views["never"].seen) == (1, 1, 0)
    assert views["down"].outcomes == {"error": 1} and views["slow"].outcomes == {"latency": 1}


def test_ids_remove_and_replace():
    book = book_with({"endpoint": "a"}, {"endpoint": "b", "id": "mine"}, {"endpoint": "c"})
    assert [v.id for v in book.list()] == ["fault-1", "mine", "fault-2"]
    with pytest.raises(ValueError, match="already in use"):
        book.add(Fault(endpoint="x", id="mine"))
    with pytest.raises(KeyError):
        book.remove(["fault-1", "nope"])
    assert len(book.list()) == 3  # all or nothing
    book.remove(["fault-1", "mine"])
    assert [v.id for v in book.list()] == ["fault-2"]
    assert [v.endpoint for v in book.replace([Fault(endpoint="z"), Fault(endpoint="y")])] == ["z", "y"]
    mixed = book.replace([Fault(endpoint="z"), Fault(endpoint="y", id="fault-5")])
    assert [v.id for v in mixed] == ["fault-6", "fault-5"]  # the next generated id was taken
    with pytest.raises(ValueError, match="unique"):
        book.replace([Fault(endpoint="z", id="d"), Fault(endpoint="y", id="d")])


@pytest.mark.parametrize("rule", [
    {"endpoint": "x", "timeout": {"effect": "not_applied", "answer": "late"}},
    {"endpoint": "x", "timeout": {"hold_seconds": 1}},
    {"endpoint": "x", "outage": {"status_code": 503}},
    {"endpoint": "x", "outage": {"for_seconds": 5, "end": "2030-01-01T00:00:00Z"}},
    {"endpoint": "x", "latency": {"kind": "uniform", "min_ms": 5, "max_ms": 1}},
    {"endpoint": "x", "error_rate": 1.5},
    {"endpoint": "x", "reject": {"kode": "IBU_TIDAK_DI_KK", "nik": ["12"]}},
    {"endpoint": "x", "status_code": 200},
    {"endpoint": "x", "surprise": True},
])
def test_invalid_rules_are_refused(rule):
    with pytest.raises(ValidationError):
        Fault.model_validate(rule)


def test_decisions_are_logged_with_key_hashes_only(caplog):
    book = book_with({"endpoint": "*", "status_code": 503})
    with caplog.at_level(logging.INFO, logger="simulators.faults"):
        decide(book, "enrol_newborn", key=NIK, ids=frozenset({NIK}))
    assert "outcome=error" in caplog.text and NIK not in caplog.text
