"""The checks after each chaos stage: each accepted birth completed once (the simulators' counters and
the bundles' documents), the read model without drift, and no personal data where it must not be."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DOCUMENTS = ("nik_bayi", "akta", "kia", "bpjs_newborn")  # one per child
SERVICES = {"nik": "NIK", "akta": "akta", "bpjs": "BPJS card"}  # document numbers that must be unique
# The simulated registries legitimately hold every NIK and name: they stand in for Dukcapil and BPJS.
REGISTRIES = ("dukcapil.db", "bpjs.db", "sms.db")
DIGITS = re.compile(rb"\d{16,}")
WORDS = re.compile(rb"[A-Za-z][A-Za-z'.-]*(?: [A-Za-z][A-Za-z'.-]*)*")


@dataclass
class Audit:
    completed: int
    duplicates: int  # documents issued more than once, bundles made more than once
    missing: int  # documents an accepted birth should have and did not get
    notes: list[str] = field(default_factory=list)


def audit(states: dict[str, dict | None], children: dict[str, int], delta: dict[str, int], *,
          extra_bundles: int = 0) -> Audit:
    """`states`: each accepted bundle's final state; `children`: how many children each has;
    `delta`: the simulators' counters after minus before; `extra_bundles`: bundles made beyond one
    per posted record."""
    notes: list[str] = []
    completed = sum((s or {}).get("status") == "completed" for s in states.values())
    if ended := Counter((s or {}).get("status", "unanswered") for s in states.values()) - Counter(
            {"completed": completed}):
        notes.append("not completed: " + ", ".join(f"{n} {st}" for st, n in sorted(ended.items())))
    want = {k: sum(children.values()) for k in DOCUMENTS} | {"kk_terbit_ulang": len(states)}
    duplicates = extra_bundles + sum(max(0, delta.get(k, 0) - n) for k, n in want.items())
    missing = sum(max(0, n - delta.get(k, 0)) for k, n in want.items())
    for k, n in want.items():
        if delta.get(k, 0) != n:
            notes.append(f"{k}: {delta.get(k, 0)} issued for {n}")
    for service, label in SERVICES.items():
        numbers = Counter(c["services"][service].get("document_number") for s in states.values() if s
                          for c in s.get("children", []) if service in c.get("services", {}))
        numbers.pop(None, None)
        if twice := sum(n - 1 for n in numbers.values() if n > 1):
            duplicates += twice
            notes.append(f"{twice} {label} number(s) on two children")
    return Audit(completed=completed, duplicates=duplicates, missing=missing, notes=notes)


def drift(data: Path) -> tuple[int, str]:
    """`kelahiran readmodel drift` on the stack's data folder: (bundles drifted, -1 if it could not
    tell; its last line)."""
    own = ("KELAHIRAN_", "TEMPORAL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)} | {"KELAHIRAN_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-m", "cli", "readmodel", "drift", "--settle", "5"],  # noqa: S603
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    lines = (done.stdout + done.stderr).strip().splitlines() or ["(no output)"]
    if done.returncode == 0:
        return 0, lines[-1]
    if done.returncode == 1:
        return sum(line.startswith("  ") for line in lines), lines[-1]
    return -1, lines[-1]


@dataclass
class Secrets:
    """What was posted that must never be found outside the registries: NIKs, KK numbers, names."""

    numbers: set[bytes] = field(default_factory=set)
    names: set[bytes] = field(default_factory=set)

    def add_body(self, body: dict) -> None:
        people = [body["mother"], body.get("father") or {}, *body.get("witnesses", [])]
        self.numbers |= {p["nik"].encode() for p in people if p.get("nik")} | {body["kk_number"].encode()}
        for name in [p.get("name") for p in people] + [c.get("name") for c in body["children"]]:
            if name:
                self.names.add(b" ".join(name.encode().split()))

    def add_state(self, state: dict | None) -> None:
        """The children's NIKs, once issued."""
        for c in (state or {}).get("children", []):
            if nik := c.get("services", {}).get("nik", {}).get("document_number"):
                self.numbers.add(str(nik).encode())

    def all(self) -> set[bytes]:
        return self.numbers | self.names

    def merge(self, other: Secrets) -> None:
        self.numbers |= other.numbers
        self.names |= other.names


def find(blob: bytes, secrets: Secrets) -> set[bytes]:
    """Which of `secrets` occur in `blob` (raw bytes: a log, a database page, a history).

    A number may sit inside a longer run of digits, a name right after other letters (a database
    record's previous column, a length byte that happens to be a letter): both are still found.
    """
    found: set[bytes] = set()
    for m in DIGITS.finditer(blob):
        run = m.group()
        found |= {run[i:i + 16] for i in range(len(run) - 15)} & secrets.numbers
    if secrets.names:
        text = b"\n".join(set(WORDS.findall(blob)))  # each distinct run of words once
        found |= {name for name in secrets.names if _named(text, name)}
    return found


def _named(text: bytes, name: bytes) -> bool:
    """`name` in `text`, not as the start of a longer word ("Budi" in "Budiman"). A capitalised name
    may follow other letters ("Siti AminahBudi": two columns of a database record)."""
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if not text[end:end + 1].islower() and (b" " in name or name[:1].isupper()
                                                or not text[at - 1:at].isalpha()):
            return True
        at = text.find(name, at + 1)
    return False


def scan_folder(data: Path, secrets: Secrets) -> dict[str, set[bytes]]:
    """Every file of the data folder but the simulated registries' databases: path -> what it holds."""
    found = {}
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        if path.name.startswith(REGISTRIES):
            continue
        if hits := find(path.read_bytes(), secrets):
            found[str(path.relative_to(data))] = hits
    return found
