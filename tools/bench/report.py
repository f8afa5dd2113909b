"""From outcomes to figures: per-phase summaries, ratios to the engine floor, the table and the files."""

from __future__ import annotations

import json
from pathlib import Path

from tools.bench.load import Outcome
from tools.bench.procs import totals
from tools.bench.stats import medians_of_repeats, ratio, summarize


def summarize_phase(label: str, outcomes: list[Outcome], *, duration: float, rate: float | None = None,
                    inflight: int | None = None, processes: dict | None = None) -> dict:
    """One phase's figures; latencies in seconds, throughput in completed bundles per second."""
    done = [o for o in outcomes if o.complete is not None]
    errors = [o.error for o in outcomes if o.error]
    phase = {
        "label": label, "offered_rate": rate, "inflight": inflight, "duration_s": duration,
        "offered": len(outcomes), "posted": sum(o.intake is not None for o in outcomes),
        "completed": len(done), "errors": len(errors), "error_samples": sorted(set(errors))[:5],
        "lost": sum(o.lost for o in outcomes), "throttled": sum(o.throttled for o in outcomes),
        "intake": summarize([o.intake for o in outcomes if o.intake is not None]),
        "complete": summarize([o.complete for o in done]),
        "throughput": throughput([o.done_at for o in done if o.done_at is not None]),
        "processes": processes or {},
    }
    if processes:
        def per_bundle(cpu_seconds: float) -> float | None:
            return round(1000 * cpu_seconds / len(done), 1) if done else None

        # Where each bundle's CPU goes, process by process, and for the whole stack.
        phase["processes"] = {name: {**fig, "cpu_ms_per_bundle": per_bundle(fig["cpu_seconds"])}
                              for name, fig in processes.items()}
        phase["stack"] = totals(processes)
        phase["cpu_ms_per_bundle"] = per_bundle(phase["stack"]["cpu_seconds"])
        phase["own"] = own(processes, len(done))
    return phase


# Our own processes: what a deployment of kelahiran runs (Temporal's server, the workers, the APIs,
# the callback dispatcher); the floor's are its Temporal server and its workers. The simulators
# stand for Dukcapil and BPJS, which run elsewhere, and are left out; so is PostgreSQL (a shared
# server whose backends come and go with the pools' connections).
OWN_ROLES = frozenset({"temporal", "worker", "api", "callbacks", "floor-worker"})
# The bound on our own processes' memory (the sum of their peak PSS), by the stack's shape.
MEMORY_BOUND_MIB = {"embedded": 1024, "production": 1536}


def role(name: str) -> str:
    """`worker-2` -> `worker` (a replica's role); other names as they are."""
    base, sep, k = name.rpartition("-")
    return base if sep and k.isdigit() else name


def own(processes: dict[str, dict], completed: int) -> dict:
    """CPU and memory of our own processes (OWN_ROLES) in one phase: CPU seconds and per completed
    bundle, and the sum of their peak PSS (an upper bound of their peak together)."""
    mine = {name: fig for name, fig in processes.items() if role(name) in OWN_ROLES}
    cpu = sum(fig["cpu_seconds"] for fig in mine.values())
    return {"processes": sorted(mine), "cpu_seconds": round(cpu, 3),
            "cpu_ms_per_bundle": round(1000 * cpu / completed, 1) if completed else None,
            "peak_pss_mib": round(sum(fig.get("peak_pss_mib", 0) for fig in mine.values()), 1)}


def own_memory(ours: list[dict], shape: str) -> dict:
    """Each phase's own peak PSS against the shape's bound (told, never enforced)."""
    bound = MEMORY_BOUND_MIB[shape]
    phases = {p["label"]: {"peak_pss_mib": p["own"]["peak_pss_mib"],
                           "within_bound": p["own"]["peak_pss_mib"] <= bound}
              for p in ours if p.get("own")}
    return {"shape": shape, "bound_mib": bound, "phases": phases}


def throughput(done_at: list[float]) -> float | None:
    """Completions per second between the first and the last completion (ramp-up excluded)."""
    if len(done_at) < 2:
        return None
    span = max(done_at) - min(done_at)
    return round((len(done_at) - 1) / span, 3) if span > 0 else None


def _pick(phase: dict | None, *path: str):
    for key in path:
        if phase is None:
            return None
        phase = phase.get(key)
    return phase


# Our processes that have a counterpart in the floor's run (its Temporal server, its workers); the
# others (the simulators, the API, the callback dispatcher) do work the floor never does, on the
# same cores.
ENGINE_PROCESSES = frozenset({"temporal", "worker"})


def ceiling(ours: dict, floor: dict) -> float | None:
    """The done/s ratio ours could reach if our Temporal server and worker cost per bundle only
    what the floor's do: the floor's CPU per bundle over that plus our other processes' CPU per
    bundle (at saturation both sides are CPU-bound, so throughput goes as 1 / CPU per bundle).

    A ratio above it needs our engine processes to be cheaper than the floor's, whose activities
    do nothing. None without per-process CPU figures on both sides."""
    f = floor.get("cpu_ms_per_bundle")
    others = [fig.get("cpu_ms_per_bundle") for name, fig in ours.get("processes", {}).items()
              if role(name) not in ENGINE_PROCESSES]
    if not f or not ours.get("processes") or any(v is None for v in others):
        return None
    return round(f / (f + sum(others)), 3)


def ratios(ours: list[dict], floor: list[dict]) -> dict:
    """Our figures divided by the floor's, phase by phase (matched by label)."""
    by_label = {p["label"]: p for p in floor}
    out = {}
    for p in ours:
        f = by_label.get(p["label"])
        if f is None:
            continue
        out[p["label"]] = {
            **{f"complete_{q}": ratio(_pick(p, "complete", q), _pick(f, "complete", q))
               for q in ("p50", "p95", "p99")},
            **{f"intake_{q}": ratio(_pick(p, "intake", q), _pick(f, "intake", q))
               for q in ("p50", "p95", "p99")},
            "throughput": ratio(p["throughput"], f["throughput"]),
            "cpu_per_bundle": ratio(p.get("cpu_ms_per_bundle"), f.get("cpu_ms_per_bundle")),
            "own_cpu_per_bundle": ratio(_pick(p, "own", "cpu_ms_per_bundle"),
                                        _pick(f, "own", "cpu_ms_per_bundle")),
            "throughput_ceiling": ceiling(p, f),
        }
    return out


def build_report(*, config: dict, machine: dict, ours: list[dict], floor: list[dict] | None,
                 shape: dict | None = None) -> dict:
    """The whole result, as written to bench.json."""
    saturation = next((p for p in ours if p["inflight"]), None)
    floor_sat = next((p for p in floor or [] if p["inflight"]), None)
    phases = ours + (floor or [])
    return {
        "config": config, "machine": machine,
        "ours": {"phases": ours, "saturation_throughput": _pick(saturation, "throughput")},
        "floor": None if floor is None else {
            "phases": floor, "saturation_throughput": _pick(floor_sat, "throughput")},
        "ratios": ratios(ours, floor) if floor else None,
        "repeats": medians_of_repeats(ratios(ours, floor)) if floor else None,
        "own_memory": own_memory(ours, config.get("stack_shape", "embedded")),
        "shape": shape,
        "errors": sum(p["errors"] for p in phases),
        "lost": sum(p["lost"] for p in phases),
    }


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{1000 * v:.0f}"


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def format_table(report: dict) -> str:
    """A readable text summary of the report."""
    lines = [f"{'phase':<14}{'offered':>8}{'done/s':>8}{'intake p50/p95/p99 ms':>24}"
             f"{'complete p50/p95/p99 ms':>26}{'errors':>8}{'lost':>6}"]
    sections = [("ours", report["ours"]["phases"])]
    if report["floor"]:
        sections.append(("floor", report["floor"]["phases"]))
    for who, phases in sections:
        for p in phases:
            offered = f"{p['offered_rate']}/s" if p["offered_rate"] else f"n={p['inflight']}"
            i, c = p["intake"], p["complete"]
            done = "-" if p["throughput"] is None else f"{p['throughput']:.2f}"
            lines.append(f"{who + ' ' + p['label']:<14}{offered:>8}{done:>8}"
                         f"{_ms(i['p50']) + '/' + _ms(i['p95']) + '/' + _ms(i['p99']):>24}"
                         f"{_ms(c['p50']) + '/' + _ms(c['p95']) + '/' + _ms(c['p99']):>26}"
                         f"{p['errors']:>8}{p['lost']:>6}")
    lines.append("")
    lines.append(f"{'process (phase)':<34}{'CPU s':>8}{'ms/bundle':>11}{'peak RSS MiB':>14}"
                 f"{'peak PSS MiB':>14}")
    for who, phases in sections:
        for p in phases:
            for name, fig in p["processes"].items():
                per = fig.get("cpu_ms_per_bundle")
                lines.append(f"{who + ' ' + p['label'] + ' ' + name:<34}{fig['cpu_seconds']:>8.1f}"
                             f"{'-' if per is None else f'{per:.1f}':>11}"
                             f"{fig['peak_rss_mib']:>14.0f}{fig.get('peak_pss_mib', 0):>14.0f}")
            if "stack" in p:
                st = p["stack"]
                per = p.get("cpu_ms_per_bundle")
                lines.append(f"{who + ' ' + p['label'] + ' all':<34}{st['cpu_seconds']:>8.1f}"
                             f"{'-' if per is None else f'{per:.1f}':>11}{st['peak_rss_mib']:>14.0f}"
                             f"{st.get('peak_pss_mib', 0):>14.0f}")
    if report["ratios"]:
        lines.append("")
        lines.append(f"{'ours / floor':<14}{'complete p50':>13}{'p95':>8}{'p99':>8}{'intake p99':>11}"
                     f"{'done/s':>8}{'CPU/bundle':>11}{'ceiling':>9}")
        for label, r in report["ratios"].items():
            lines.append(f"{label:<14}{_x(r['complete_p50']):>13}{_x(r['complete_p95']):>8}"
                         f"{_x(r['complete_p99']):>8}{_x(r['intake_p99']):>11}{_x(r['throughput']):>8}"
                         f"{_x(r['cpu_per_bundle']):>11}{_x(r.get('throughput_ceiling')):>9}")
    lines += own_table(report)
    lines.append("")
    lines.append(f"errors: {report['errors']}  lost bundles: {report['lost']}")
    return "\n".join(lines)


def own_table(report: dict) -> list[str]:
    """Our own processes' CPU per bundle, its ratio to the floor's, and their memory against the bound."""
    mem = report.get("own_memory") or {}
    floor = {p["label"]: p for p in (report["floor"] or {}).get("phases", [])}
    rows = [p for p in report["ours"]["phases"] if p.get("own")]
    if not rows:
        return []
    bound = f"{mem['bound_mib']} MiB bound ({mem['shape']})"
    lines = ["", "own processes - ours: Temporal, workers, APIs, callbacks (no simulators, no PostgreSQL)",
             "                the floor's: Temporal, floor workers",
             f"{'own':<14}{'ms/bundle':>10}{'floor':>8}{'ratio':>8}{'peak PSS MiB':>14}{'floor':>7}  {bound}"]
    for p in rows:
        o, f = p["own"], floor.get(p["label"], {}).get("own") or {}
        ratio_ = (report["ratios"] or {}).get(p["label"], {}).get("own_cpu_per_bundle")
        within = mem["phases"].get(p["label"], {}).get("within_bound")
        lines.append(f"{p['label']:<14}{_num(o['cpu_ms_per_bundle']):>10}{_num(f.get('cpu_ms_per_bundle')):>8}"
                     f"{_x(ratio_):>8}{o['peak_pss_mib']:>14.0f}{_num(f.get('peak_pss_mib'), 0):>7}  "
                     f"{'within' if within else 'OVER'}")
    for phase, m in (report.get("repeats") or {}).items():
        lines.append(f"{phase + ' median':<26}{_x(m['own_cpu_per_bundle']):>8}  over {m['runs']} runs "
                     f"(complete p95 ratio {_x(m['complete_p95'])})")
    return lines


def _num(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def plot(report: dict, path: Path) -> None:
    """Latency (p50, p95) against offered rate, ours and the floor's, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    sections = [("kelahiran", report["ours"]["phases"], "-")]
    if report["floor"]:
        sections.append(("engine floor", report["floor"]["phases"], "--"))
    for who, phases, style in sections:
        rated = sorted((p for p in phases if p["offered_rate"]), key=lambda p: p["offered_rate"])
        xs = [p["offered_rate"] for p in rated]
        for q, marker in (("p50", "o"), ("p95", "s")):
            ys = [None if p["complete"][q] is None else 1000 * p["complete"][q] for p in rated]
            ax.plot(xs, ys, style, marker=marker, label=f"{who} POST→complete {q}")
        ys = [None if p["intake"]["p99"] is None else 1000 * p["intake"]["p99"] for p in rated]
        ax.plot(xs, ys, style, marker="^", label=f"{who} intake p99")
    ax.set_xlabel("offered rate (births/s)")
    ax.set_ylabel("latency (ms)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("kelahiran bench: latency vs offered rate")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(report: dict, out: Path) -> tuple[Path, Path]:
    """bench.json and bench.png in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    js, png = out / "bench.json", out / "bench.png"
    js.write_text(json.dumps(report, indent=2))
    plot(report, png)
    return js, png
