"""A name Dukcapil refuses under Permendagri 73/2022 (NAMA_TIDAK_SESUAI): the akta waits for a person,
with its own reason, while the rest of the bundle goes on as far as it can.

Time-skipping test server, stand-in activities (tests/support/fake_activities.py), as in
test_path_rejections.py.
"""

from __future__ import annotations

from domain.contracts import ProvideNameInput
from tests.support.bundles import new_family, notification, running, svc, today
from tests.support.fake_activities import Fakes


async def test_a_name_dukcapil_refuses_holds_the_akta_needs_attention(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fakes.segment = "PBI"
    fam = new_family(fakes)
    fakes.reject["issue_akta"] = "NAMA_TIDAK_SESUAI"  # e.g. a name kept before the intake's rule
    async with running(env, fakes, notification(fam, await today(env))) as b:
        st = await b.until(lambda s: s.status.value == "needs_attention"
                           and svc(s, "bpjs").status.value == "completed")
        akta = svc(st, "akta")
        assert (akta.status.value, akta.reason, akta.attempts) == ("needs_attention", "NAMA_TIDAK_SESUAI", 1)
        assert svc(st, "nik").status.value == "completed"
        # The KIA and the KK wait for the akta; nothing else is issued under the refused name.
        assert svc(st, "kia").status.value == "pending" and st.kk.status.value == "pending"
        assert fakes.count("issue_akta") == 1 and fakes.count("issue_kia") == 0
        assert fakes.count("reissue_kk") == 0


async def test_a_valid_name_given_after_the_refusal_issues_the_akta_and_the_rest(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fakes.segment = "PBI"
    fam = new_family(fakes)
    fakes.reject["issue_akta"] = "NAMA_TIDAK_SESUAI"
    async with running(env, fakes, notification(fam, await today(env))) as b:
        await b.until(lambda s: svc(s, "akta").reason == "NAMA_TIDAK_SESUAI")
        del fakes.reject["issue_akta"]  # Dukcapil takes the valid name the operator gives
        await b.update("provide_name", ProvideNameInput(birth_order=1, name="Siti Aminah"))
        st = await b.until(lambda s: s.status.value == "completed")
        assert svc(st, "akta").status.value == "completed" and svc(st, "kia").status.value == "completed"
        assert fakes.count("issue_akta") == 2 and st.kk.status.value == "completed"
        assert fakes.inputs("issue_akta")[-1].child_name == "Siti Aminah"
