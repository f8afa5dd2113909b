"""The console's pieces without a stack: catalogue, worklist rules, actions per role, charts."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from api.auth.roles import Role
from api.console import charts, i18n, stats, view, web, worklist
from api.console.routes_bundle import temporal_link
from domain.contracts import (
    BundleState,
    BundleStatus,
    ChildState,
    Reason,
    Service,
    ServiceState,
    ServiceStatus,
    WorkflowTuning,
)
from infra.settings import Settings
from store.db import make_engine
from store.models import Bundle, ServiceStatusRow, read_model_metadata

CONSOLE = Path(__file__).parents[3] / "api" / "console"
DYNAMIC = ("st_", "ss_", "svc_", "r_", "fix_", "ev_", "role_", "sex_", "dl_", "fu_", "ref_", "ok_", "u_",
           "fact_", "fv_", "chg_", "rem_", "fstep_", "note_")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_both_languages_with_the_same_placeholders():
    for key, (indonesian, english) in i18n.CATALOGUE.items():
        assert indonesian and english, key
        assert _fields(indonesian) == _fields(english), key


def test_every_status_service_and_reason_has_words():
    keys = i18n.CATALOGUE
    assert all(f"st_{s.value}" in keys for s in BundleStatus)
    assert all(f"ss_{s.value}" in keys for s in ServiceStatus)
    assert all(f"svc_{s.value}" in keys for s in Service)
    assert all(f"r_{r.value}" in keys and f"fix_{r.value}" in keys for r in Reason)
    assert all(f"role_{r.value}" in keys for r in Role)


def test_keys_used_exist_and_every_fixed_key_is_used():
    sources = [p.read_text() for p in (CONSOLE / "templates").glob("*.html")]
    catalogues = ("messages.py", "words.py", "admin_words.py", "fact_words.py")
    sources += [p.read_text() for p in CONSOLE.glob("*.py") if p.name not in catalogues]
    used = set()
    for text in sources:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", text))
        used |= set(re.findall(r"""["']@?([a-z][a-z0-9_]*)["']""", text)) & set(i18n.CATALOGUE)
    assert {k for k in used if not k.endswith("_")} - set(i18n.CATALOGUE) == set()  # "svc_" ~ x: dynamic
    unused = {k for k in i18n.CATALOGUE if not k.startswith(DYNAMIC)} - used
    assert unused == set()


def test_translator_formats_dates_durations_and_deadlines():
    t = i18n.Translator("id")
    assert t.date(date(2026, 8, 17)) == "17 Agustus 2026"
    assert t.time(datetime(2026, 8, 17, 1, 2, 3, tzinfo=UTC)) == "17 Agustus 2026, 08.02 WIB"
    assert i18n.Translator("en").time(datetime(2026, 12, 7, 7, 5, tzinfo=UTC)) == "7 December 2026, 14:05 WIB"
    assert t.rupiah("150000") == t.rupiah(150000) == "Rp150.000" and t.rupiah(None) == "–"
    assert t.duration(90) == "1.5 mnt" and t.duration(5400) == "1.5 jam"
    today = date(2026, 8, 17)
    assert t.days_to(today + timedelta(days=3), today) == "3 hari lagi"
    assert i18n.Translator("en").days_to(today - timedelta(days=2), today) == "2 days overdue"
    assert t("NO_SUCH_CODE") == "NO_SUCH_CODE"


def test_percentile_is_nearest_rank():
    assert stats.percentile([], 50) is None
    assert stats.percentile([5, 1, 3], 50) == 3
    assert stats.percentile(list(range(1, 101)), 95) == 95


def test_charts_escape_their_labels():
    svg = charts.hbars([("<script>alert(1)</script>", 3), ("RSUD", 0)], title="a & b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    empty = charts.day_bars([], title="t", done_label="d", open_label="o")
    assert empty.startswith('<svg class="chart"')
    times = charts.time_bars([("NIK", None, None)], title="t", fmt=lambda s: "–")
    assert "–" in times


def test_temporal_link():
    settings = Settings(environment="test", temporal_ui_url="http://127.0.0.1:8233", temporal_namespace="ns")
    assert temporal_link(settings, "b1") == "http://127.0.0.1:8233/namespaces/ns/workflows/b1"
    assert temporal_link(Settings(environment="test", temporal_ui_url=None), "b1") is None


TODAY = date(2026, 9, 1)
TUNING = WorkflowTuning()


def _bundle(session: Session, bid: str, *, born_days_ago: int, status: str = "in_progress",
            risk: bool = False, office: str | None = "3673", services: tuple = ()) -> None:
    born = TODAY - timedelta(days=born_days_ago)
    at = datetime(2026, 9, 1, tzinfo=UTC) - timedelta(days=born_days_ago)
    session.add(Bundle(id=bid, hospital_id="RS", record_id=bid, content_hash="x", status=status,
                       birth_date=born, received_at=at, updated_at=at, office_code=office, child_count=1,
                       deadline_risk=risk, state_json="{}"))
    session.flush()
    for order, service, st, reason in services:
        session.add(ServiceStatusRow(bundle_id=bid, birth_order=order, service=service, status=st,
                                     reason=reason, state_json="{}"))


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'rm.db'}")
    read_model_metadata().create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_worklist_lists_what_waits_for_a_person_earliest_deadline_first(db):
    wait = ServiceStatus.WAITING_INPUT.value
    name = "NAMA_BELUM_ADA"
    _bundle(db, "name", born_days_ago=2, services=((1, "kia", wait, name), (1, "akta", wait, name),
                                                   (0, "kk", wait, name)))
    _bundle(db, "late", born_days_ago=75, status="needs_attention",
            services=((1, "akta", "needs_attention", "KEPUTUSAN_KADIS_DIPERLUKAN"),))
    _bundle(db, "unpaid-new", born_days_ago=3, services=((1, "bpjs", "awaiting_payment", None),))
    _bundle(db, "unpaid-old", born_days_ago=30, services=((1, "bpjs", "awaiting_payment", None),))
    _bundle(db, "unpaid-soon", born_days_ago=22, services=((1, "bpjs", "awaiting_payment", None),))
    _bundle(db, "risky", born_days_ago=52, risk=True, services=((1, "akta", "in_progress", None),))
    _bundle(db, "closed", born_days_ago=5, status="closed_with_issues",
            services=((1, "akta", "needs_attention", "SPTJM_TIDAK_SAH"),))
    _bundle(db, "elsewhere", born_days_ago=4, office="3604",
            services=((1, "akta", "needs_attention", "SPTJM_TIDAK_SAH"),))
    db.commit()
    items, total = worklist.open_items(session=db, office_code="3673", tuning=TUNING, today=TODAY)
    assert [i.bundle.id for i in items] == ["late", "unpaid-old", "unpaid-soon", "risky", "name"]
    assert total == 5
    codes = {i.bundle.id: [x.code for x in i.issues] for i in items}
    assert codes == {"unpaid-old": ["PAYMENT_LATE"], "late": ["KEPUTUSAN_KADIS_DIPERLUKAN"],
                     "unpaid-soon": ["PAYMENT_SOON"], "risky": ["DEADLINE"], "name": ["NAMA_BELUM_ADA"]}
    assert items[-1].issues[0].service == "akta"  # one issue per child, on the akta
    everyone, _ = worklist.open_items(session=db, office_code=None, tuning=TUNING, today=TODAY)
    assert "elsewhere" in [i.bundle.id for i in everyone]


def _state(**over) -> BundleState:
    akta = over.pop("akta", ServiceState())
    child = ChildState(birth_order=1, outcome="live", sex="female", name_provided=over.pop("named", True),
                       services={Service.NIK: ServiceState(), Service.AKTA: akta, Service.KIA: ServiceState(),
                                 Service.BPJS: ServiceState(status=ServiceStatus.NEEDS_ATTENTION)})
    return BundleState(bundle_id="b", hospital_id="RS", record_id="r", content_hash="x",
                       status=over.pop("status", BundleStatus.NEEDS_ATTENTION), birth_date=TODAY,
                       received_at=datetime(2026, 9, 1, tzinfo=UTC), children=[child], **over)


def _row() -> Bundle:
    return Bundle(id="b", hospital_id="RS", record_id="r", content_hash="x", status="x", birth_date=TODAY,
                  received_at=datetime.now(UTC), updated_at=datetime.now(UTC), child_count=1, state_json="")


def test_actions_depend_on_role_and_state():
    late = _state(akta=ServiceState(status=ServiceStatus.NEEDS_ATTENTION,
                                    reason=Reason.KEPUTUSAN_KADIS_DIPERLUKAN.value), named=False)
    op = view.build(late, _row(), Role.operator, [], temporal_url=None, mark="1")
    sup = view.build(late, _row(), Role.supervisor, [], temporal_url=None, mark="1")
    aud = view.build(late, _row(), Role.auditor, [], temporal_url=None, mark="1")
    assert op.can == {"parents"} and op.name_children == [1] and op.death_children == [1]
    assert sup.can == {"parents", "decision", "close"}
    assert not aud.any_action and not any(s.retry for c in aud.children for s in c.steps)
    # the akta waits for the Kadis decision: a retry gets the same answer, so it is not offered there
    assert [s.service for s in op.children[0].steps if s.retry] == ["bpjs"]
    done = view.build(_state(status=BundleStatus.COMPLETED), _row(), Role.operator, [], temporal_url=None,
                      mark="1")
    assert done.can == set() and done.correction_children == [1] and done.death_children == [1]
    assert view.event_key("received") == "ev_received" and view.event_key("completed") == "ss_completed"


@pytest.mark.parametrize("reason", sorted(view.NO_RETRY))
def test_retry_is_not_offered_where_only_a_person_can_resolve_it(reason):
    st = _state(akta=ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason=str(reason)))
    op = view.build(st, _row(), Role.operator, [], temporal_url=None, mark="1")
    assert [s.service for s in op.children[0].steps if s.retry] == ["bpjs"]


@pytest.mark.parametrize("reason", [None, Reason.PESERTA_TIDAK_AKTIF.value, "PERMINTAAN_DITOLAK"])
def test_retry_is_offered_for_failures_arrears_and_unknown_codes(reason):
    st = _state(akta=ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason=reason))
    assert view.can_retry(st.children[0].services[Service.AKTA])
    assert not view.can_retry(ServiceState(status=ServiceStatus.WAITING_INPUT))
    pay = ServiceState(status=ServiceStatus.AWAITING_PAYMENT, reason="PAYMENT_LATE")
    assert view.can_retry(pay)


def test_a_refused_name_offers_the_name_form_again_and_a_kk_past_the_nik_is_not_offered():
    refused = _state(akta=ServiceState(status=ServiceStatus.NEEDS_ATTENTION,
                                       reason=Reason.NAMA_TIDAK_SESUAI.value))
    op = view.build(refused, _row(), Role.operator, [], temporal_url=None, mark="1")
    assert op.name_children == [1] and not op.kk_locked
    issuing = _state(office_code="3673")
    issuing.children[0].services[Service.NIK] = ServiceState(status=ServiceStatus.IN_PROGRESS)
    assert view.build(issuing, _row(), Role.operator, [], temporal_url=None, mark="1").kk_locked
    waiting = _state(office_code="3673")  # routed, NIK still pending: the KK may still change
    assert not view.build(waiting, _row(), Role.operator, [], temporal_url=None, mark="1").kk_locked


def test_reference_pattern_for_browsers_matches_the_apis_rule():
    """The HTML pattern says what DecisionIn/ForwardIn accept (the browser check: test_forms.py)."""
    api_rule = re.compile(r"^[A-Za-z0-9./ -]+$")
    html_rule = re.compile(rf"^(?:{web.REF_PATTERN})$")
    for value in ("470/9/KADIS/2026", "474.1-2 A", "a#b", "x_y", "ok/ok", "-", "é"):
        assert bool(api_rule.match(value)) == bool(html_rule.match(value)), value


def test_a_mother_nik_correction_refused_as_a_duplicate_says_so_and_names_the_earlier_bundle():
    from api.console.routes_actions import _refusal
    from api.console.web import _param
    from workflows.corrections import collision_message

    earlier = "0b9a2c44-5d1e-4f7a-9c3b-2a1d0e6f8b71"
    said = _param(i18n.Translator("id"), _refusal(collision_message(earlier)))
    assert said.startswith("dengan NIK ibu ini") and said.endswith(f"Bundel yang lebih dulu, {earlier}")
    assert "DUPLIKAT" not in said and "with this mother" not in said
