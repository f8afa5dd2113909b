"""Where webhooks may point: public https in production (stubbed DNS and real addresses)."""

from __future__ import annotations

import pytest

from adapters.webhooks import addresses
from adapters.webhooks.addresses import UnsafeUrl, check, is_public


def stub(answers: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("NXDOMAIN")
        return answers[host]

    return resolve


@pytest.mark.parametrize(("ip", "public"), [
    ("93.184.216.34", True), ("8.8.8.8", True), ("2606:4700::1111", True),
    ("127.0.0.1", False), ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.1.10", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("255.255.255.255", False), ("192.0.2.1", False), ("::1", False), ("::", False), ("fe80::1", False),
    ("fc00::1", False), ("ff02::1", False), ("::ffff:10.0.0.1", False), ("::ffff:93.184.216.34", True),
    ("64:ff9b::a9fe:a9fe", False), ("2002:a00:1::", False),
])
def test_public_addresses(ip, public):
    assert is_public(ip) is public


async def test_a_name_resolving_to_a_private_address_is_refused_in_production():
    resolve = stub({"hook.example": ["10.0.0.5"], "ok.example": ["93.184.216.34"],
                    "mixed.example": ["93.184.216.34", "127.0.0.1"], "empty.example": []})
    target = await check("https://ok.example/kelahiran", strict=True, resolver=resolve)
    assert target.ips == ("93.184.216.34",)
    for host in ("hook.example", "mixed.example", "empty.example", "nx.example"):
        with pytest.raises(UnsafeUrl):
            await check(f"https://{host}/kelahiran", strict=True, resolver=resolve)


@pytest.mark.parametrize("url", [
    "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook",
    "https://127.0.0.1:8443/hook", "https://[::ffff:127.0.0.1]/hook", "https://0.0.0.0/hook",
    "https://100.64.0.1/hook", "https://[fe80::1]/hook", "https://192.168.0.1/hook", "https://localhost/hook",
])
async def test_real_non_public_addresses_are_refused_in_production(url):
    with pytest.raises(UnsafeUrl, match="non-public"):
        await check(url, strict=True)  # the system resolver: `localhost` really is loopback


async def test_production_wants_https_and_tests_may_use_loopback_http():
    with pytest.raises(UnsafeUrl, match="https"):
        await check("http://93.184.216.34/hook", strict=True)
    target = await check("http://127.0.0.1:9/hook", strict=False)
    assert str(target.pinned_url(target.ips[0])) == "http://127.0.0.1:9/hook"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https:///nohost", "https://user:pw@example.com/",
                                 "https://example.com/#frag", "not a url", "https://e.com/" + "x" * 2000])
def test_malformed_urls(url):
    with pytest.raises(UnsafeUrl):
        addresses.parse(url, strict=False)


async def test_the_checked_address_is_the_one_connected_to():
    resolve = stub({"hook.rs.example": ["93.184.216.34"]})
    target = await check("https://Hook.RS.example:8443/cb?x=1", strict=True, resolver=resolve)
    assert str(target.pinned_url(target.ips[0])) == "https://93.184.216.34:8443/cb?x=1"
    assert (target.host, target.host_header) == ("hook.rs.example", "hook.rs.example:8443")
