"""`kelahiran simulator faults ...`: set, list and clear the simulators' injected faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tools.commands.local_stack import SIMULATORS, DataDir, fail, stack_url

faults_app = typer.Typer(no_args_is_help=True, help="Inject faults into a running simulator (admin API).")

Url = Annotated[str | None, typer.Option(help="simulator base URL, e.g. http://127.0.0.1:8102",
                                         envvar="KELAHIRAN_SIMULATOR_URL")]
Sim = Annotated[str | None, typer.Option(
    "--sim", help="dukcapil, bpjs or sms: that simulator of `kelahiran up`, its URL from "
                  "DATA_DIR/urls.json (when no --url is given)")]
Token = Annotated[str, typer.Option(help="admin token (X-Admin-Token)",
                                    envvar="KELAHIRAN_SIMULATOR_ADMIN_TOKEN")]
AsJson = Annotated[bool, typer.Option("--json", help="print the fault set as JSON")]
DEV_TOKEN = "dev-admin-token"  # noqa: S105 - the simulators' development default
HERE = Path("data")  # `kelahiran up`'s default data folder


class _Admin:
    """The simulator's admin API; one client per command (building one costs ~0.2 s)."""

    def __init__(self, url: str | None, sim: str | None, data: Path, token: str) -> None:
        import httpx

        if sim is not None and sim not in SIMULATORS:
            raise fail("simulator faults", f"--sim {sim} is not a simulator: pass dukcapil, bpjs or sms")
        if url is None and sim is None:
            raise fail("simulator faults", "no --url or --sim given: pass --sim dukcapil, bpjs or sms "
                                           "(a simulator of `kelahiran up`) or the simulator's --url")
        url = stack_url(url, sim or "", data, command="simulator faults", option="--url")
        self._http = httpx.Client(base_url=f"{url.rstrip('/')}/admin", timeout=30,
                                  headers={"X-Admin-Token": token})
        self._url = url

    def __enter__(self) -> _Admin:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        import httpx

        try:
            r = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise fail("simulator faults", f"nothing answers at {self._url} ({exc}): start the stack "
                                           "(`kelahiran up`) or pass the simulator's --url") from None
        if r.status_code >= 400:
            typer.echo(f"simulator answered {r.status_code}: {r.text}", err=True)
            raise typer.Exit(1)
        return r.json() if r.content else None


def _describe(rule: dict) -> str:
    parts = [rule["id"], rule["endpoint"]]
    if lat := rule.get("latency"):
        parts.append("latency " + ", ".join(f"{k}={v}" for k, v in lat.items() if k != "kind")
                     + f" ({lat['kind']})")
    if (t := rule.get("timeout")) is not None:
        parts.append(f"timeout {t['effect']} hold {t['hold_seconds']}s then {t['answer']} "
                     f"{t['status_code']} x{t['rate']}")
    if (o := rule.get("outage")) is not None:
        parts.append(f"outage {o['start']} .. {o['end']} -> {o['status_code']}")
    if (r := rule.get("reject")) is not None:
        listed = len(r["no_kk"]) + len(r["nik"]) + len(r["no_kartu"])
        parts.append(f"reject {r['kode']} for {listed or 'every'} identifier(s)")
    if rule.get("error_rate") is not None:
        parts.append(f"error {rule['status_code']} x{rule['error_rate']}")
    left = "until removed" if rule.get("remaining") is None else f"{rule['remaining']} left"
    parts.append(f"[{left}, hits {rule['hits']}/{rule['seen']}]")
    if rule.get("label"):
        parts.append(f"# {rule['label']}")
    return "  ".join(parts)


def _print(rules: list[dict], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rules, indent=2))
    elif not rules:
        typer.echo("no faults")
    else:
        typer.echo("\n".join(_describe(r) for r in rules))


def _pair(text: str | None, option: str) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        a, b = (float(x) for x in text.split(":"))
    except ValueError:
        raise typer.BadParameter("expected two numbers as A:B", param_hint=option) from None
    return a, b


def _load(file: Path) -> list[dict]:
    text = file.read_text()
    if file.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("faults", [data])
    if not isinstance(data, list):
        raise typer.BadParameter("expected a list of rules (or {faults: [...]})", param_hint="--file")
    return data


def _validated(rules: list[dict]) -> list[dict]:
    from pydantic import TypeAdapter, ValidationError

    from simulators.common.fault_rules import Fault

    try:
        models = TypeAdapter(list[Fault]).validate_python(rules)
    except ValidationError as exc:
        typer.echo(f"invalid fault rule(s):\n{exc}", err=True)
        raise typer.Exit(2) from None
    # Relative outages stay relative: the simulator anchors them on its own clock.
    return [m.model_dump(mode="json", exclude_none=True) for m in models]


@faults_app.command("list")
def list_faults(url: Url = None, sim: Sim = None, data_dir: DataDir = HERE,
                token: Token = DEV_TOKEN, as_json: AsJson = False) -> None:
    """Print the fault rules in force, with remaining counts and hit counters."""
    with _Admin(url, sim, data_dir, token) as admin:
        _print(admin("GET", "/faults"), as_json)


@faults_app.command("add")
def add(
    url: Url = None,
    sim: Sim = None,
    data_dir: DataDir = HERE,
    token: Token = DEV_TOKEN,
    endpoint: Annotated[str | None, typer.Option(help="endpoint name, or '*' for all")] = None,
    file: Annotated[Path | None, typer.Option(help="rules.yaml or rules.json: a list of rules",
                                              exists=True, dir_okay=False)] = None,
    replace: Annotated[bool, typer.Option(help="replace the whole fault set")] = False,
    rule_id: Annotated[str | None, typer.Option("--id", help="rule id (default fault-N)")] = None,
    label: Annotated[str | None, typer.Option(help="free text shown in the list")] = None,
    status: Annotated[int | None, typer.Option(help="status of injected errors [503]")] = None,
    error_rate: Annotated[float | None, typer.Option(help="share of calls failing, 0..1")] = None,
    latency_ms: Annotated[float | None, typer.Option(help="fixed added latency")] = None,
    latency_uniform: Annotated[str | None, typer.Option(help="MIN_MS:MAX_MS")] = None,
    latency_normal: Annotated[str | None, typer.Option(help="MEAN_MS:STDDEV_MS (clipped at 0)")] = None,
    timeout_effect: Annotated[str | None, typer.Option(help="applied or not_applied")] = None,
    timeout_hold: Annotated[float, typer.Option(help="seconds to hold the call")] = 0,
    timeout_answer: Annotated[str, typer.Option(help="after the hold: error or late")] = "error",
    timeout_status: Annotated[int, typer.Option(help="status of the timeout error")] = 504,
    timeout_rate: Annotated[float, typer.Option(help="share of calls timing out, 0..1")] = 1.0,
    outage_for: Annotated[float | None, typer.Option(help="outage from now for N seconds")] = None,
    outage_start: Annotated[str | None, typer.Option(help="outage start, ISO 8601 (UTC)")] = None,
    outage_end: Annotated[str | None, typer.Option(help="outage end, ISO 8601 (UTC)")] = None,
    outage_status: Annotated[int, typer.Option(help="status during the outage")] = 503,
    reject: Annotated[str | None, typer.Option(help="refuse with this reason code")] = None,
    reject_message: Annotated[str | None, typer.Option(help="refusal message")] = None,
    reject_status: Annotated[int, typer.Option(help="Dukcapil refusal status")] = 422,
    match_kk: Annotated[list[str] | None, typer.Option(help="refuse these KK numbers")] = None,
    match_nik: Annotated[list[str] | None, typer.Option(help="refuse these NIKs")] = None,
    match_card: Annotated[list[str] | None, typer.Option(help="refuse these BPJS cards")] = None,
    remaining: Annotated[int | None, typer.Option(help="affect only the next N calls")] = None,
    as_json: AsJson = False,
) -> None:
    """Add fault rules (from options, or --file), then print the fault set."""
    rules = _load(file) if file else []
    if endpoint is not None:
        rule: dict[str, Any] = {"endpoint": endpoint, "id": rule_id, "label": label,
                                "status_code": status, "error_rate": error_rate, "remaining": remaining}
        uniform, normal = _pair(latency_uniform, "--latency-uniform"), _pair(latency_normal,
                                                                              "--latency-normal")
        if latency_ms is not None:
            rule["latency"] = {"kind": "fixed", "ms": latency_ms}
        elif uniform:
            rule["latency"] = {"kind": "uniform", "min_ms": uniform[0], "max_ms": uniform[1]}
        elif normal:
            rule["latency"] = {"kind": "normal", "mean_ms": normal[0], "stddev_ms": normal[1]}
        if timeout_effect is not None:
            rule["timeout"] = {"effect": timeout_effect, "hold_seconds": timeout_hold,
                               "answer": timeout_answer, "status_code": timeout_status,
                               "rate": timeout_rate}
        if outage_for is not None or outage_end is not None:
            rule["outage"] = {"for_seconds": outage_for, "start": outage_start, "end": outage_end,
                              "status_code": outage_status}
        if reject is not None:
            rule["reject"] = {"kode": reject, "message": reject_message, "status_code": reject_status,
                              "no_kk": match_kk or [], "nik": match_nik or [],
                              "no_kartu": match_card or []}
        rules.append({k: v for k, v in rule.items() if v is not None})
    if not rules:
        raise typer.BadParameter("give --endpoint (with the options of a rule) or --file")
    rules = _validated(rules)
    with _Admin(url, sim, data_dir, token) as admin:
        if replace:
            admin("PUT", "/faults", rules)
        else:
            for r in rules:
                admin("POST", "/faults", r)
        _print(admin("GET", "/faults"), as_json)


@faults_app.command("remove")
def remove(ids: Annotated[list[str], typer.Argument(help="rule ids")], url: Url = None, sim: Sim = None,
           data_dir: DataDir = HERE, token: Token = DEV_TOKEN, as_json: AsJson = False) -> None:
    """Remove fault rules by id, then print the fault set."""
    with _Admin(url, sim, data_dir, token) as admin:
        _print(admin("POST", "/faults/remove", {"ids": ids}), as_json)


@faults_app.command("reset")
def reset(url: Url = None, sim: Sim = None, data_dir: DataDir = HERE,
          token: Token = DEV_TOKEN, as_json: AsJson = False) -> None:
    """Remove every fault rule (and forget attempt numbers), then print the (empty) fault set."""
    with _Admin(url, sim, data_dir, token) as admin:
        admin("DELETE", "/faults")
        _print(admin("GET", "/faults"), as_json)


@faults_app.command("endpoints")
def endpoints(url: Url = None, sim: Sim = None, data_dir: DataDir = HERE,
              token: Token = DEV_TOKEN) -> None:
    """Print the endpoint names this simulator accepts in rules."""
    with _Admin(url, sim, data_dir, token) as admin:
        typer.echo("\n".join(admin("GET", "/faults/endpoints")))
