"""Operator login behind its guards: a per-address limit before any hashing, a bound on hashing.

One Argon2id check costs ~90 ms of CPU and 64 MiB: 80 parallel logins for unknown users took the
API to 2.45 GiB and hospitals' POSTs to seconds. So, in this order:
1. the client address (X-Forwarded-For only from `KELAHIRAN_FORWARDED_ALLOW_IPS`) reserves an attempt
   atomically in the database (store/auth_login.py); past `KELAHIRAN_LOGIN_ADDRESS_LIMIT` failed
   attempts in the window the answer is 429 with Retry-After, and no password is hashed; the
   process then remembers the address until its window ends and answers its next attempts 429
   without a database write (a flood of refused logins must not compete with hospitals' intake for
   the database; the window cannot end earlier in the database, so the memory never refuses more);
2. the hash runs in a thread under a capacity limiter of `KELAHIRAN_LOGIN_HASH_CONCURRENCY`: others
   wait their turn without holding a thread of the pool the intake uses;
3. a failure of an existing account is counted atomically; the 5th within the sliding window locks it.
Locks and throttles are audited and counted in metrics; an unknown username is never written down
(the audit says `unknown`): a mistyped password in the username field would otherwise be kept.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import anyio
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from prometheus_client import Counter, Gauge
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.auth import audit, sessions
from api.auth.roles import Principal, Role
from infra.settings import Settings
from store import auth_login

LOGINS = Counter("kelahiran_operator_logins", "Operator logins by outcome", ["outcome"])
LOCKS = Counter("kelahiran_login_locks", "Operator accounts locked after repeated failures")
THROTTLED = Counter("kelahiran_login_throttled", "Logins answered 429 by the per-address limit, unhashed")
HASHING = Gauge("kelahiran_login_hashes_running", "Password hashes running now in this process")
UNKNOWN = "unknown"  # the audit's actor for a name that is no account
MEMO_MAX = 10_000  # throttled addresses remembered per process (about 1 MiB)


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed logins from this address")
        self.retry_after = retry_after


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(text: str) -> tuple[Network, ...]:
    """`KELAHIRAN_FORWARDED_ALLOW_IPS` (uvicorn's own setting too, cli/serve.py): addresses or
    networks, comma-separated, `*` for any; an entry that is neither (a socket path) trusts nothing."""
    found: list[Network] = []
    for part in (p.strip() for p in text.split(",")):
        if part == "*":
            found += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        with contextlib.suppress(ValueError):
            found.append(ipaddress.ip_network(part, strict=False))
    return tuple(found)


def _within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client: the peer, unless the peer is a trusted proxy; then the nearest X-Forwarded-For hop
    that is not one (hops further left were written by the client and prove nothing)."""
    address = peer or UNKNOWN
    if not trusted or not _within(address, trusted):
        return address
    for hop in reversed([h.strip() for h in (forwarded_for or "").split(",") if h.strip()]):
        if _within(hop, trusted):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # garbage from a proxy we trust: count it against the proxy's own address
    return address


class LoginGuard:
    """One per API process (the hashing bound is per process, as the memory it protects)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        window = timedelta(minutes=settings.login_window_minutes)
        self.policy = replace(settings.session_policy(), window=window)
        self.address_limit = settings.login_address_limit
        self.proxies = parse_proxies(settings.forwarded_allow_ips)
        self.limiter = anyio.CapacityLimiter(settings.login_hash_concurrency)  # made on the event loop
        self.throttled: dict[str, datetime] = {}  # address -> the end of its window, past the limit

    def address_of(self, request: Request) -> str:
        return client_address(request.client.host if request.client else None,
                              request.headers.get("x-forwarded-for"), self.proxies)

    async def login(self, request: Request, username: str, password: str) -> sessions.LoggedIn:
        address = self.address_of(request)
        if (ends_at := self.throttled.get(address)) is not None:
            if ends_at > datetime.now(UTC):
                self._throttle(ends_at)
            del self.throttled[address]
        reserved = await run_in_threadpool(self._reserve, address)
        if reserved.attempts > self.address_limit:
            if reserved.attempts == self.address_limit + 1:  # once per window: a flood is one event
                await run_in_threadpool(self._audit, UNKNOWN, "auth.login.throttled", "refused", address)
            ends_at = reserved.window_start + self.policy.window
            self._remember(address, ends_at)
            self._throttle(ends_at)
        stored = await run_in_threadpool(self._hash_of, username)
        checked = await anyio.to_thread.run_sync(self._check, stored, password, limiter=self.limiter)
        try:
            done = await run_in_threadpool(self._conclude, username, checked)
        except sessions.LoginRefused as refused:
            await run_in_threadpool(self._refused, username, refused, address)
            raise
        await run_in_threadpool(self._succeeded, done, address, reserved)
        return done

    @staticmethod
    def _throttle(ends_at: datetime) -> None:
        THROTTLED.inc()
        LOGINS.labels("throttled").inc()
        raise Throttled(max(1, math.ceil((ends_at - datetime.now(UTC)).total_seconds())))

    def _remember(self, address: str, ends_at: datetime) -> None:
        """Bounded: past MEMO_MAX addresses the finished windows go; if all are running, the
        database alone answers for new ones (one write per attempt, as without the memory)."""
        if len(self.throttled) >= MEMO_MAX:
            now = datetime.now(UTC)
            self.throttled = {a: e for a, e in self.throttled.items() if e > now}
        if len(self.throttled) < MEMO_MAX:
            self.throttled[address] = ends_at

    def _reserve(self, address: str) -> auth_login.Reserved:
        with Session(self.engine) as s:
            return auth_login.reserve_attempt(s, address, now=datetime.now(UTC), window=self.policy.window)

    def _hash_of(self, username: str) -> str | None:
        with Session(self.engine) as s:
            return sessions.password_hash_of(session=s, username=username)

    @staticmethod
    def _check(stored: str | None, password: str) -> sessions.Checked:
        HASHING.inc()
        try:
            return sessions.check_password(stored, password)
        finally:
            HASHING.dec()

    def _conclude(self, username: str, checked: sessions.Checked) -> sessions.LoggedIn:
        with Session(self.engine) as s:
            return sessions.conclude(session=s, username=username, checked=checked, policy=self.policy)

    def _refused(self, username: str, refused: sessions.LoginRefused, address: str) -> None:
        LOGINS.labels("refused").inc()
        actor = username if refused.known else UNKNOWN
        self._audit(actor, "auth.login", "refused", address)
        if refused.locked_now:
            LOCKS.inc()
            self._audit(actor, "auth.lock", "ok", address)

    def _succeeded(self, done: sessions.LoggedIn, address: str, reserved: auth_login.Reserved) -> None:
        LOGINS.labels("ok").inc()
        with Session(self.engine) as s:
            auth_login.give_back(s, address, reserved)
            who = Principal(kind="operator", subject=done.operator.username, role=Role(done.operator.role))
            audit.record(session=s, who=who, action="auth.login", details={"address": address})

    def _audit(self, actor: str, action: str, outcome: str, address: str) -> None:
        with Session(self.engine) as s:
            who = Principal(kind="operator", subject=actor[:64], role=Role.operator)
            audit.record(session=s, who=who, action=action, outcome=outcome, details={"address": address})


def guard_of(request: Request) -> LoginGuard:
    """The app's guard, made at its first login (on the event loop, which the limiter needs)."""
    state = request.app.state
    guard = getattr(state, "login_guard", None)
    if guard is None:
        guard = state.login_guard = LoginGuard(state.engine, state.settings)
    return guard
