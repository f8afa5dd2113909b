"""The chaos run's verdicts: a double issue, a second bundle, a leaked NIK or name each fail a stage."""

from tools.chaos.checks import Secrets, audit, find, scan_folder
from tools.chaos.plan import Plan
from tools.chaos.report import StageResult, table

ONE_EACH = {"nik_bayi": 3, "akta": 3, "kia": 3, "bpjs_newborn": 3, "kk_terbit_ulang": 2}


def _state(*niks: str) -> dict:
    return {"status": "completed", "children": [
        {"services": {"nik": {"document_number": n}, "akta": {"document_number": f"AKTA-{n}"},
                      "bpjs": {"document_number": f"C{n}"}}} for n in niks]}


def _states() -> dict:
    return {"b1": _state("3673010101250001"), "b2": _state("3673010101250002", "3673010101250003")}


def test_every_birth_completed_with_one_of_each_document_passes():
    a = audit(_states(), {"b1": 1, "b2": 2}, ONE_EACH)
    assert (a.completed, a.duplicates, a.missing, a.notes) == (2, 0, 0, [])


def test_a_document_issued_twice_is_a_duplicate():
    a = audit(_states(), {"b1": 1, "b2": 2}, ONE_EACH | {"akta": 4})
    assert a.duplicates == 1 and a.missing == 0
    assert a.notes == ["akta: 4 issued for 3"]
    result = StageResult("x", posted=2, accepted=2, completed=a.completed, duplicates=a.duplicates,
                         missing=a.missing, drift=0, seconds=1)
    assert not result.passed
    assert "FAIL" in table([result])


def test_a_second_bundle_for_one_record_and_a_shared_nik_are_duplicates():
    states = _states()
    states["b2"] = _state("3673010101250001", "3673010101250003")  # b1's child's documents again
    a = audit(states, {"b1": 1, "b2": 2}, ONE_EACH, extra_bundles=1)
    assert a.duplicates == 1 + 3
    assert a.notes == ["1 NIK number(s) on two children", "1 akta number(s) on two children",
                       "1 BPJS card number(s) on two children"]


def test_a_document_never_issued_or_a_bundle_left_waiting_is_reported():
    states = _states()
    states["b2"]["status"] = "in_progress"
    a = audit(states, {"b1": 1, "b2": 2}, ONE_EACH | {"bpjs_newborn": 1})
    assert (a.completed, a.missing, a.duplicates) == (1, 2, 0)
    assert "not completed: 1 in_progress" in a.notes


def test_a_clean_stage_passes_and_a_drifted_or_leaky_one_fails():
    ok = StageResult("x", posted=3, accepted=3, completed=3, duplicates=0, missing=0, drift=0, seconds=1)
    assert ok.passed
    for bad in ({"drift": 1}, {"drift": -1}, {"pii": 2}, {"accepted": 2, "completed": 2}):
        assert not StageResult(**{**ok.__dict__, **bad}).passed, bad


def _secrets() -> Secrets:
    s = Secrets()
    s.add_body({"mother": {"nik": "3673014506900001", "name": "Siti Aminah"},
                "father": {"nik": "3673011203880002", "name": "Budi"}, "kk_number": "3673010101200003",
                "witnesses": [{"nik": "3673010101700004", "name": "Ahmad Yani"}],
                "children": [{"name": "Bayi Chaos Aab"}]})
    s.add_state(_state("3673010101250009"))
    return s


def test_identifiers_are_found_in_raw_bytes_even_inside_longer_runs():
    s = _secrets()
    blob = (b'\x00\x12{"kk":"3673010101200003"}\x07ab93673014506900001\x01 AXBayi Chaos Aab\x00'
            b"nama Siti Aminah." + b"3673010101250009")
    assert find(blob, s) == {b"3673010101200003", b"3673014506900001", b"3673010101250009",
                             b"Bayi Chaos Aab", b"Siti Aminah"}


def test_a_name_glued_to_the_previous_column_is_found_but_not_a_longer_name():
    s = _secrets()
    assert find(b"\x03Ahmad YaniBudi\x00", s) == {b"Ahmad Yani", b"Budi"}
    assert find(b"\x03\x41Ahmad Yani\x42Budi\x00", s) == {b"Ahmad Yani", b"Budi"}
    assert find(b"Budiman; Bayi Chaos Aabc; Siti Aminahwati", s) == set()


def test_text_without_the_posted_identifiers_is_clean():
    s = _secrets()
    blob = b"bundle 01JF3 completed; 3673010101209999 Siti Rahayu; Chaos Aab; Bayi Chaos Aac"
    assert find(blob, s) == set()


def test_the_folder_scan_skips_only_the_simulated_registries(tmp_path):
    s = _secrets()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "api.log").write_bytes(b'{"msg": "posted", "kk": "3673010101200003"}\n')
    (tmp_path / "dukcapil.db").write_bytes(b"3673010101200003 Siti Aminah")
    (tmp_path / "temporal.db-wal").write_bytes(b"\x00Siti Aminah\x00")
    found = scan_folder(tmp_path, s)
    assert found == {"logs/api.log": {b"3673010101200003"}, "temporal.db-wal": {b"Siti Aminah"}}


def test_scaling_keeps_every_stage_non_trivial():
    small = Plan().scaled(0.1)
    assert (small.in_flight, small.outage_seconds, small.burst_rate, small.burst_seconds) == (5, 24, 4, 2)
    assert Plan().scaled(0.01).in_flight == 2 and small.identical == (10, 30)
    assert Plan().births() == 2 + 50 + 55 + 55 + 40 + 55 + 801


def test_identifiers_in_a_sqlite_record_are_found(tmp_path):
    """A database page holds a record's columns back to back: a name right after another, a NIK
    right after a name."""
    import sqlite3

    db = tmp_path / "leaky.db"
    with sqlite3.connect(db) as con:
        con.execute("create table person (mother text, father text, nik text, kk text)")
        con.execute("insert into person values (?, ?, ?, ?)",
                    ("Siti Aminah", "Budi", "3673014506900001", "3673010101200003"))
    con.close()
    assert scan_folder(tmp_path, _secrets()) == {"leaky.db": {b"Siti Aminah", b"Budi", b"3673014506900001",
                                                              b"3673010101200003"}}
