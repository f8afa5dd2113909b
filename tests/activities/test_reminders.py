"""The reminder activity: one SMS per reminder (the gateway's reference), its text, its row."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.reminders import ReminderActivities
from adapters.errors import BusinessRejection, TransientError
from adapters.sms.port import Sms, SmsAccepted
from domain.contracts import ReminderInput, Service
from store import bundles
from store.cipher import StateCipher, spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import Reminder
from tests.support.states import received_state

CIPHER = StateCipher.from_spec(spec_for_tests())


class Gateway:
    """An SMS gateway as the simulator behaves: a reference already accepted is not sent again."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.accepted: dict[str, Sms] = {}

    async def send(self, sms: Sms) -> SmsAccepted:
        if self.fail is not None:
            raise self.fail
        self.accepted.setdefault(sms.reference, sms)
        return SmsAccepted(message_id=f"m-{list(self.accepted).index(sms.reference)}", segments=1)

    async def aclose(self) -> None:
        return None


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


def _bundle(engine) -> str:
    st = received_state("RS-REMIND")
    with Session(engine) as s:
        bundles.insert_received(session=s, state=st, cipher=CIPHER)
    return st.bundle_id


def _payment(bid: str, **kw) -> ReminderInput:
    return ReminderInput(bundle_id=bid, service=Service.BPJS, birth_order=1, kind="payment_due",
                         due=date(2027, 1, 4), phone="081234567890", virtual_account="8888800123456789",
                         amount_due=35000, **kw)


async def test_a_reminder_is_sent_once_and_recorded(engine):
    bid, gw = _bundle(engine), Gateway()
    act = ReminderActivities(engine, gw)
    env = ActivityEnvironment()
    first = await env.run(act.deliver_reminder, _payment(bid))
    again = await env.run(act.deliver_reminder, _payment(bid))  # a retry after a lost answer
    assert first == again and len(gw.accepted) == 1
    (sms,) = gw.accepted.values()
    assert sms.reference == f"{bid}.pengingat.bpjs.1.payment_due" and sms.phone == "081234567890"
    assert "8888800123456789" in sms.text and "Rp 35.000" in sms.text and "4 Januari 2027" in sms.text
    with Session(engine) as s:
        (row,) = s.exec(select(Reminder)).all()
        assert (row.bundle_id, row.kind, row.delivered_at is not None) == (bid, "payment_due", True)


async def test_each_kind_is_its_own_message(engine):
    bid, gw = _bundle(engine), Gateway()
    act = ReminderActivities(engine, gw)
    env = ActivityEnvironment()
    await env.run(act.deliver_reminder, _payment(bid))
    await env.run(act.deliver_reminder, _payment(bid).model_copy(update={"kind": "deadline_approaching"}))
    await env.run(act.deliver_reminder, ReminderInput(
        bundle_id=bid, service=Service.AKTA, birth_order=2, kind="name_missing", due=date(2027, 2, 5),
        phone="081234567890", several=True))
    assert len(gw.accepted) == 3
    texts = [s.text for s in gw.accepted.values()]
    assert texts[1].count("Segera") == 1 and "nama bayi ke-2 Anda belum" in texts[2]
    with Session(engine) as s:
        assert len(s.exec(select(Reminder)).all()) == 3


async def test_a_refusal_is_a_business_rejection_and_an_outage_retries(engine):
    bid = _bundle(engine)
    env = ActivityEnvironment()
    refused = ReminderActivities(engine, Gateway(BusinessRejection("NOMOR_TIDAK_VALID", "x")))
    with pytest.raises(ApplicationError) as err:
        await env.run(refused.deliver_reminder, _payment(bid))
    assert err.value.non_retryable and err.value.details == ("NOMOR_TIDAK_VALID",)
    down = ReminderActivities(engine, Gateway(TransientError("down", status_code=503)))
    with pytest.raises(ApplicationError) as err:
        await env.run(down.deliver_reminder, _payment(bid))
    assert not err.value.non_retryable
    no_phone = ReminderActivities(engine, Gateway())
    with pytest.raises(ApplicationError) as err:
        await env.run(no_phone.deliver_reminder, _payment(bid).model_copy(update={"phone": None}))
    assert err.value.details == ("NOMOR_PELAPOR_TIDAK_ADA",)
    with Session(engine) as s:
        assert s.exec(select(Reminder)).all() == []  # nothing recorded as delivered
