"""Roles, the authenticated principal, and which bundles a principal may see or act on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    hospital = "hospital"      # a hospital system, by API key: its own births only
    operator = "operator"      # Disdukcapil staff: bundles routed to their own office
    supervisor = "supervisor"  # approvals, Kepala Dinas decisions, SPTJM, closing bundles
    auditor = "auditor"        # read-only, plus the audit log
    admin = "admin"            # users, hospitals and keys; no access to bundles' personal data


OPERATOR_ROLES = (Role.operator, Role.supervisor, Role.auditor, Role.admin)
# Who may act on a bundle (as opposed to only reading it).
ACTING = (Role.operator, Role.supervisor)
READING = (Role.operator, Role.supervisor, Role.auditor)


@dataclass(frozen=True)
class Principal:
    kind: str  # "hospital" | "operator"
    subject: str  # hospital id or operator username
    role: Role
    office_code: str | None = None  # operators: their Dukcapil office (kab/kota); None = all
    session_id: str | None = None  # operators: the session (hash), for logout and CSRF
    via_cookie: bool = False  # browser session: unsafe methods need the CSRF token

    def may_see(self, *, hospital_id: str, office_code: str | None) -> bool:
        """Whether this principal may see a bundle with this owner and routing office."""
        if self.role is Role.hospital:
            return hospital_id == self.subject
        if self.role is Role.auditor:
            return True
        if self.role in ACTING:
            return self.office_code is None or self.office_code == office_code
        return False
