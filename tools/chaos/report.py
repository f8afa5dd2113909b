"""One row per chaos stage, and the table the command prints."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS = ("stage", "posted", "accepted", "completed", "duplicates", "missing", "drift", "PII hits",
           "seconds", "result")


@dataclass
class StageResult:
    stage: str
    posted: int  # distinct birth records posted (a record sent 30 times counts once)
    accepted: int  # distinct bundles the API answered 202 with
    completed: int
    duplicates: int
    missing: int
    drift: int  # bundles `readmodel drift` reports; -1: it could not tell
    seconds: float
    pii: int = 0  # posted identifiers found in logs, database files or histories (filled in at the end)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (self.accepted == self.posted == self.completed and self.duplicates == 0
                and self.missing == 0 and self.drift == 0 and self.pii == 0)

    def row(self) -> tuple[str, ...]:
        return (self.stage, str(self.posted), str(self.accepted), str(self.completed), str(self.duplicates),
                str(self.missing), "?" if self.drift < 0 else str(self.drift), str(self.pii),
                f"{self.seconds:.0f}", "pass" if self.passed else "FAIL")


def total(results: list[StageResult]) -> StageResult:
    return StageResult(stage="all", posted=sum(r.posted for r in results),
                       accepted=sum(r.accepted for r in results), completed=sum(r.completed for r in results),
                       duplicates=sum(r.duplicates for r in results), missing=sum(r.missing for r in results),
                       drift=-1 if any(r.drift < 0 for r in results) else sum(r.drift for r in results),
                       seconds=sum(r.seconds for r in results), pii=sum(r.pii for r in results))


def table(results: list[StageResult]) -> str:
    rows = [COLUMNS, *(r.row() for r in results), total(results).row()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                           strict=True)))

    out = [line(rows[0]), "  ".join("-" * w for w in widths), *(line(r) for r in rows[1:-1]),
           "  ".join("-" * w for w in widths), line(rows[-1])]
    notes = [f"{r.stage}: {n}" for r in results for n in r.notes]
    return "\n".join(out + ([""] + notes if notes else []))
