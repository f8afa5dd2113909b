"""First-start accounts for the embedded stack, so the quickstart works with one command.

Made once per data dir (random secrets, never defaults), kept in `demo-credentials.json` readable
only by its owner, and printed at every start. Production never runs this.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import Session

from api.auth import accounts, keys
from api.auth.roles import Role
from store.db import make_engine

DEMO_HOSPITAL = "RSUD-DEMO"
FILE = "demo-credentials.json"


@dataclass
class DemoCredentials:
    hospital_id: str
    hospital_key: str
    admin_user: str
    admin_password: str
    supervisor_user: str
    supervisor_password: str


def ensure_demo_accounts(database_url: str, data_dir: Path) -> DemoCredentials:
    path = data_dir / FILE
    if path.exists():
        return DemoCredentials(**json.loads(path.read_text()))
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            if s.get(accounts.Hospital, DEMO_HOSPITAL) is None:
                accounts.create_hospital(session=s, hospital_id=DEMO_HOSPITAL,
                                         name="RSUD Demo (kelahiran up)")
            key = keys.issue_key(session=s, hospital_id=DEMO_HOSPITAL, label="demo").key
            made = {}
            for user, role in (("admin", Role.admin), ("supervisor", Role.supervisor)):
                password = secrets.token_urlsafe(12)
                if s.get(accounts.Operator, user) is None:
                    accounts.create_operator(session=s, username=user, full_name=f"Demo {role.value}",
                                             role=role, password=password)
                else:
                    accounts.set_password(session=s, username=user, password=password)
                made[user] = password
    finally:
        engine.dispose()
    creds = DemoCredentials(hospital_id=DEMO_HOSPITAL, hospital_key=key, admin_user="admin",
                            admin_password=made["admin"], supervisor_user="supervisor",
                            supervisor_password=made["supervisor"])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(asdict(creds), f, indent=2)
    return creds
