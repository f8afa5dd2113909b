"""The family's SMS texts: what each says, and that each fits in two SMS segments."""

from __future__ import annotations

from datetime import date

import pytest

from domain import sms_texts as texts
from tests.support.pii import has_nik_like

URL = "https://kelahiran.serangkota.go.id/unduh/" + "x" * 27
TWO_SEGMENTS = 306


def test_the_notice_of_a_living_child_lists_the_documents():
    t = texts.notice(URL, "123456", 30)
    assert "akta kelahiran, KK dan KIA" in t and "123456" in t and len(t) <= TWO_SEGMENTS


def test_the_notice_after_a_death_never_says_the_kia_is_ready():
    t = texts.notice(URL, "123456", 30, deceased=True)
    assert "berduka" in t and "akta kematian" in t and "KIA" not in t and "123456" in t
    assert len(t) <= TWO_SEGMENTS


@pytest.mark.parametrize("kind", ["payment_due", "deadline_approaching"])
def test_a_payment_reminder_names_the_bill_the_account_and_the_deadline(kind):
    t = texts.reminder(kind, "bpjs", date(2027, 1, 4), birth_order=1, virtual_account="8888800123456789",
                       amount_due=1_250_000)
    assert "Rp 1.250.000" in t and "8888800123456789" in t and "4 Januari 2027" in t
    assert ("Segera" in t) is (kind == "deadline_approaching")
    assert "ke-" not in t and len(t) <= TWO_SEGMENTS  # one baby: no position to name


def test_a_name_reminder_for_twins_says_which_baby_and_holds_nothing_personal():
    t = texts.reminder("name_missing", "akta", date(2027, 2, 5), birth_order=2, several=True)
    assert "nama bayi ke-2 Anda belum" in t and "5 Februari 2027" in t
    assert not has_nik_like(t) and len(t) <= TWO_SEGMENTS
