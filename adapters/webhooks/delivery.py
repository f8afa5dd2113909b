"""One delivery: check the destination again, POST the signed body to the checked address."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from adapters.webhooks import addresses, signing

USER_AGENT = "kelahiran-callbacks/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    kind: str  # delivered | http | redirect | timeout | connection | refused (a metrics label)
    error: str | None = None  # short, for the hospital and the logs: never the URL, secret or body


def make_client(timeout: float) -> httpx.AsyncClient:
    """No redirects, no proxies (the checked address is the one connected to), no keep-alive (a
    pooled connection is keyed by address and could carry another hospital's request)."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=httpx.Timeout(timeout),
                             limits=httpx.Limits(max_connections=200, max_keepalive_connections=0),
                             headers={"User-Agent": USER_AGENT})


def headers_for(*, secrets: list[str], event_id: str, event_type: str, body: bytes, timestamp: int,
                legacy: bool) -> dict[str, str]:
    """Standard Webhooks headers, the event type, and while `legacy` the deprecated signature too."""
    out = {"Content-Type": "application/json", **signing.standard_headers(secrets, event_id, timestamp, body),
           "X-Kelahiran-Event-Id": event_id, "X-Kelahiran-Event-Type": event_type}
    if legacy:
        out |= {"X-Kelahiran-Timestamp": str(timestamp),
                "X-Kelahiran-Signature": signing.signature_header(secrets, timestamp, body)}
    return out


async def send(client: httpx.AsyncClient, *, url: str, secrets: list[str], event_id: str, event_type: str,
               body: bytes, policy: addresses.Policy, timeout: float, legacy: bool = False,
               resolver: addresses.Resolver = addresses.system_resolver) -> Outcome:
    """POST one event; 2xx is delivered, anything else (3xx included: never followed) is a failure."""
    try:
        target = await addresses.check(url, policy=policy, resolver=resolver, timeout=timeout)
    except addresses.UnsafeUrl as exc:
        return Outcome(False, "refused", f"refused: {exc}")
    headers = {"Host": target.host_header, **headers_for(
        secrets=secrets, event_id=event_id, event_type=event_type, body=body, timestamp=int(time.time()),
        legacy=legacy)}

    async def post() -> int:
        for i, ip in enumerate(target.ips):  # the next checked address only if this one refuses
            try:
                # Streamed and never read: a receiver's response body costs us nothing.
                async with client.stream("POST", target.pinned_url(ip), content=body, headers=headers,
                                         extensions={"sni_hostname": target.host}) as response:
                    return response.status_code
            except httpx.ConnectError:
                if i == len(target.ips) - 1:
                    raise
        raise AssertionError("unreachable")  # check() never returns a target without addresses

    try:
        status = await asyncio.wait_for(post(), timeout)  # a total bound, not only per read
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(False, "timeout", "timeout")
    except httpx.HTTPError as exc:
        return Outcome(False, "connection", f"connection failed ({type(exc).__name__})")
    if 200 <= status < 300:
        return Outcome(True, "delivered")
    if 300 <= status < 400:
        return Outcome(False, "redirect", f"HTTP {status}: redirects are not followed")
    return Outcome(False, "http", f"HTTP {status}")
