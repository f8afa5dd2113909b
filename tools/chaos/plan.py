"""How hard each chaos stage hits: the figures of issue 19 at scale 1, everything smaller below it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

STAGES = ("identical", "worker-kill", "temporal-kill", "temporal-freeze", "bpjs-outage", "power-loss",
          "burst")


@dataclass(frozen=True)
class Plan:
    identical: tuple[int, ...] = (10, 30)  # concurrent POSTs of one record (not scaled: one birth each)
    in_flight: int = 50  # births in flight at a worker or Temporal kill, a freeze, a power loss
    late: int = 5  # births posted while Temporal or the whole stack is down
    freeze_seconds: float = 60.0  # Temporal under SIGSTOP
    outage_seconds: float = 240.0  # BPJS answering 503 to everything
    outage_births: int = 40
    burst_rate: float = 40.0  # births/s
    burst_seconds: float = 20.0
    drain_seconds: float = 900.0  # how long a stage waits for its bundles to end
    stages: tuple[str, ...] = field(default=STAGES)

    def scaled(self, scale: float) -> Plan:
        """Births and seconds times `scale` (at least 2 births, 2 s); the burst's rate and its length
        are both scaled, so its births go with the square."""
        return replace(
            self, in_flight=max(2, round(self.in_flight * scale)), late=max(1, round(self.late * scale)),
            freeze_seconds=max(2.0, self.freeze_seconds * scale),
            outage_seconds=max(2.0, self.outage_seconds * scale),
            outage_births=max(2, round(self.outage_births * scale)),
            burst_rate=max(1.0, self.burst_rate * scale), burst_seconds=max(2.0, self.burst_seconds * scale))

    def births(self) -> int:
        """Families the run needs (one per birth), with room for the burst's rounding."""
        per = {"identical": len(self.identical), "worker-kill": self.in_flight,
               "temporal-kill": self.in_flight + self.late, "temporal-freeze": self.in_flight + self.late,
               "bpjs-outage": self.outage_births, "power-loss": self.in_flight + self.late,
               "burst": round(self.burst_rate * self.burst_seconds) + 1}
        return sum(per[s] for s in self.stages)
