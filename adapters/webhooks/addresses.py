"""Where a webhook may point: https, to addresses on the public internet or in the networks the
deployment allows (hospitals on provincial private networks); loopback (http too) only when a
development setting says so, which production refuses at start-up (infra/settings.py).

Checked in every environment, when the URL is registered and again before every delivery, and the
delivery connects to the very address that passed (DNS rebinding: a name that resolved to a public
address at registration may resolve to 127.0.0.1 or 169.254.169.254 later).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_URL = 2000


class UnsafeUrl(ValueError):
    """The URL is malformed, not https, or resolves to an address the policy does not allow."""


@dataclass(frozen=True)
class Policy:
    """What a deployment allows besides public addresses: the private `networks` it names (https
    still), and loopback, http included, when `loopback` (development and tests: local receivers)."""

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    loopback: bool = False

    def allows(self, ip: str) -> bool:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
        return (is_public(ip) or any(addr in net for net in self.networks)
                or (self.loopback and addr.is_loopback))

    def allows_http(self, ips: list[str]) -> bool:
        """Plain http only to this machine (a local receiver has no certificate), and only when allowed."""
        return self.loopback and all(ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback for ip in ips)


STRICT = Policy()  # public https only


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to one of `ips`, present `host` (Host header, TLS SNI and the
    certificate check)."""

    url: httpx.URL
    ips: tuple[str, ...]

    @property
    def host(self) -> str:
        return self.url.raw_host.decode("ascii")

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.url.port}" if self.url.port else host

    def pinned_url(self, ip: str) -> httpx.URL:
        return self.url.copy_with(host=ip)


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(ip: str) -> bool:
    """True for a unicast address on the public internet (IPv4 embedded in IPv6 is checked as IPv4)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address):
        embedded = addr.ipv4_mapped or addr.sixtofour or (addr.teredo or (None, None))[1]
        if embedded is None and addr in NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(str(embedded))
    return addr.is_global and not (addr.is_multicast or addr.is_reserved or addr.is_unspecified)


def parse(url: str, *, strict: bool) -> httpx.URL:
    """Syntax: http(s) with a host, no credentials or fragment; https only when `strict` (the
    address check decides about http once it knows where the name points)."""
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"longer than {MAX_URL} characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise UnsafeUrl("not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeUrl("must be an absolute http(s) URL with a host")
    if parsed.userinfo or parsed.fragment:
        raise UnsafeUrl("must not contain credentials or a fragment")
    if strict and parsed.scheme != "https":
        raise UnsafeUrl("must use https")
    return parsed


async def check(url: str, *, policy: Policy = STRICT, resolver: Resolver = system_resolver,
                timeout: float = 5.0) -> Target:
    """Resolve the URL's host and pick the address to connect to: every address the name resolves to
    must be allowed (one private answer among public ones is refused too), and http is refused unless
    all of them are loopback and the policy allows loopback."""
    parsed = parse(url, strict=False)
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        ipaddress.ip_address(host)
        ips = [host]
    except ValueError:
        try:
            ips = await asyncio.wait_for(resolver(host, port), timeout)
        except (OSError, TimeoutError, UnicodeError):
            raise UnsafeUrl("host does not resolve") from None
    if not ips:
        raise UnsafeUrl("host does not resolve")
    if not all(policy.allows(ip) for ip in ips):
        raise UnsafeUrl("resolves to a loopback, private, link-local or otherwise non-public address "
                        "outside the allowed networks")
    if parsed.scheme != "https" and not policy.allows_http(ips):
        raise UnsafeUrl("must use https")
    return Target(url=parsed, ips=tuple(ips))


# Never allowed, whatever the configured networks say: this machine, link-local (the cloud metadata
# service at 169.254.169.254), "this network", multicast and broadcast.
FORBIDDEN = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3", "::/127", "fe80::/10", "ff00::/8"))


def parse_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`KELAHIRAN_CALLBACK_ALLOWED_NETWORKS`: comma-separated CIDRs; ValueError names a bad one."""
    out = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        try:
            net = ipaddress.ip_network(item, strict=True)
        except ValueError as exc:
            raise ValueError(f"{item!r} is not a network in CIDR notation ({exc})") from None
        if any(net.version == bad.version and net.overlaps(bad) for bad in FORBIDDEN):
            raise ValueError(f"{item} overlaps loopback, link-local, multicast or unspecified addresses, "
                             "which webhooks may never reach")
        out.append(net)
    return tuple(out)
