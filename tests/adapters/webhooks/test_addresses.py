"""Where webhooks may point: public https, allowed networks, loopback by a development setting."""

from __future__ import annotations

import pytest

from adapters.webhooks import addresses
from adapters.webhooks.addresses import Policy, UnsafeUrl, check, is_public, parse_networks


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
    target = await check("https://ok.example/kelahiran", resolver=resolve)
    assert target.ips == ("93.184.216.34",)
    for host in ("hook.example", "mixed.example", "empty.example", "nx.example"):
        with pytest.raises(UnsafeUrl):
            await check(f"https://{host}/kelahiran", resolver=resolve)


@pytest.mark.parametrize("url", [
    "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook",
    "https://127.0.0.1:8443/hook", "https://[::ffff:127.0.0.1]/hook", "https://0.0.0.0/hook",
    "https://100.64.0.1/hook", "https://[fe80::1]/hook", "https://192.168.0.1/hook", "https://localhost/hook",
])
async def test_real_non_public_addresses_are_refused_in_production(url):
    with pytest.raises(UnsafeUrl, match="non-public"):
        await check(url)  # the system resolver: `localhost` really is loopback


async def test_https_always_and_loopback_http_only_by_the_development_allowance():
    with pytest.raises(UnsafeUrl, match="https"):
        await check("http://93.184.216.34/hook")
    with pytest.raises(UnsafeUrl, match="https"):  # the allowance is for this machine only
        await check("http://93.184.216.34/hook", policy=Policy(loopback=True))
    with pytest.raises(UnsafeUrl, match="non-public"):  # the default, in every environment
        await check("http://127.0.0.1:9/hook")
    target = await check("http://127.0.0.1:9/hook", policy=Policy(loopback=True))
    assert str(target.pinned_url(target.ips[0])) == "http://127.0.0.1:9/hook"
    assert (await check("https://localhost/hook", policy=Policy(loopback=True))).ips


async def test_allowed_networks_admit_a_provincial_network_over_https_only():
    policy = Policy(networks=parse_networks("10.20.0.0/16, fd00:1::/32"))
    resolve = stub({"simrs.rs.prov": ["10.20.3.4"], "half.rs.prov": ["10.20.3.4", "10.99.0.1"]})
    assert (await check("https://simrs.rs.prov/hook", policy=policy, resolver=resolve)).ips == ("10.20.3.4",)
    assert (await check("https://[fd00:1::5]/hook", policy=policy)).ips == ("fd00:1::5",)
    for url in ("https://10.21.0.1/hook", "https://half.rs.prov/hook", "https://127.0.0.1/hook",
                "https://169.254.169.254/latest/meta-data/"):
        with pytest.raises(UnsafeUrl, match="non-public"):
            await check(url, policy=policy, resolver=resolve)
    with pytest.raises(UnsafeUrl, match="https"):
        await check("http://10.20.3.4/hook", policy=policy)


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "10.0.0.1/8", "banana", "127.0.0.0/8", "0.0.0.0/0",
                                  "169.254.0.0/16", "::/0", "fe80::/64", "224.0.0.0/4"])
def test_allowed_networks_never_include_loopback_link_local_or_nonsense(spec):
    with pytest.raises(ValueError, match=spec.split("/")[0] if "/" in spec else spec):
        parse_networks(spec)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https:///nohost", "https://user:pw@example.com/",
                                 "https://example.com/#frag", "not a url", "https://e.com/" + "x" * 2000])
def test_malformed_urls(url):
    with pytest.raises(UnsafeUrl):
        addresses.parse(url, strict=False)


async def test_the_checked_address_is_the_one_connected_to():
    resolve = stub({"hook.rs.example": ["93.184.216.34"]})
    target = await check("https://Hook.RS.example:8443/cb?x=1", resolver=resolve)
    assert str(target.pinned_url(target.ips[0])) == "https://93.184.216.34:8443/cb?x=1"
    assert (target.host, target.host_header) == ("hook.rs.example", "hook.rs.example:8443")
