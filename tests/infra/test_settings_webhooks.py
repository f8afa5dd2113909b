"""Settings: where webhooks may point; production refuses the development loopback switch (issue 19)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.settings import Settings
from tests.support.production import production

LOOPBACK_REFUSED = "KELAHIRAN_CALLBACK_ALLOW_LOOPBACK is for development: production refuses"


def test_production_refuses_loopback_webhooks():
    with pytest.raises(ValidationError, match=LOOPBACK_REFUSED):
        Settings(environment="production", callback_allow_loopback=True)
    # Every other production requirement met: the loopback switch alone is what is refused.
    with pytest.raises(ValidationError, match=LOOPBACK_REFUSED) as refused:
        Settings(**production(callback_allow_loopback=True))
    assert len(refused.value.errors()) == 1
    assert Settings(**production()).callback_allow_loopback is False


@pytest.mark.parametrize("environment", ["development", "test"])
def test_loopback_webhooks_allowed_outside_production(environment):
    policy = Settings(environment=environment, callback_allow_loopback=True).webhook_policy()
    assert policy.loopback is True and policy.allows("127.0.0.1")


def test_a_bad_allowed_network_is_named_at_start_up():
    with pytest.raises(ValidationError, match="KELAHIRAN_CALLBACK_ALLOWED_NETWORKS"):
        Settings(callback_allowed_networks="10.20.0.0/16, not-a-network")
