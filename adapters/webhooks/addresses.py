"""Where a webhook may point. In production: https, and only addresses on the public internet.

Checked when the URL is registered and again before every delivery, and the delivery connects to
the very address that passed (DNS rebinding: a name that resolved to a public address at
registration may resolve to 127.0.0.1 or 169.254.169.254 later).
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
    """The URL is malformed, not https in production, or resolves to a non-public address."""


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
    """Syntax: http(s) with a host, no credentials or fragment; https only when `strict`."""
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


async def check(url: str, *, strict: bool, resolver: Resolver = system_resolver,
                timeout: float = 5.0) -> Target:
    """Resolve the URL's host and pick the address to connect to; when `strict`, every address the
    name resolves to must be public (one private answer among public ones is refused too)."""
    parsed = parse(url, strict=strict)
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
    if strict and not all(is_public(ip) for ip in ips):
        raise UnsafeUrl("resolves to a loopback, private, link-local or otherwise non-public address")
    return Target(url=parsed, ips=tuple(ips))
