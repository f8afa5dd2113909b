"""`kelahiran demo`: post births drawn from the simulated population and report every outcome."""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # httpx is imported lazily: every `kelahiran` process would pay for it
    import httpx
from domain.contracts import TERMINAL_STATUSES
from tools.notifications import child, notification_from_sample, spelled

app = typer.Typer()

# Where families live (weights) and which BPJS segments to draw: every office we can reach.
OFFICES = [("3673", 7), ("3604", 1), ("3672", 1), ("3201", 1)]
SEGMENTS = ["PBI", "PPU", "PBPU", "NONE"]


def _mask(nik: str | None) -> str:
    return f"{nik[:6]}******{nik[-4:]}" if nik else "-"


async def _draw(http: httpx.AsyncClient, dukcapil: str, rng: random.Random, taken: set[str]) -> dict:
    """A family with none of `taken`'s KK numbers (the births are drawn at once: two draws may meet
    the same family, whose second birth the intake would rightly hold as a suspected duplicate)."""
    for _ in range(40):
        kab = rng.choices([o for o, _ in OFFICES], [w for _, w in OFFICES])[0]
        params = {"kab_kota": kab, "segmen": rng.choice(SEGMENTS), "belum_ada_kelahiran": True,
                  "limit": 1, "seed": rng.randrange(1 << 30)}
        r = await http.get(f"{dukcapil}/v1/sampel/keluarga", params=params)
        r.raise_for_status()
        if r.json() and (fam := r.json()[0])["no_kk"] not in taken:
            taken.add(fam["no_kk"])
            return fam
    raise RuntimeError("the population has no family left with the demo's traits")


async def _one(i: int, http: httpx.AsyncClient, api_url: str, dukcapil: str, bpjs: str, key: str,
               rng: random.Random, pay: bool, timeout: float, taken: set[str]) -> dict:
    fam = await _draw(http, dukcapil, rng, taken)
    twins = i % 7 == 6
    kids = [child(1, sex=rng.choice(["male", "female"]), name=f"Bayi Demo {spelled(i)}")]
    if twins:
        kids.append(child(2, sex=rng.choice(["male", "female"]), name=f"Bayi Demo {spelled(i)} Kembar"))
    body = notification_from_sample(fam, birth_date=date.today() - timedelta(days=1), children=kids)
    start = time.monotonic()
    auth = {"X-API-Key": key}
    for _ in range(60):  # a 429 (the hospital's rate limit) is waited out, as it asks
        r = await http.post(f"{api_url}/v1/births", json=body, headers=auth)
        if r.status_code != 429:
            break
        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
    if r.status_code != 202:
        return {"i": i, "status": f"HTTP {r.status_code}", "detail": r.text[:200], "seconds": 0.0}
    bundle_id = r.json()["bundle_id"]
    paid: set[int] = set()  # birth orders whose bill was paid (twins share the family VA)
    b: dict = {}
    while time.monotonic() - start < timeout:
        b = (await http.get(f"{api_url}/v1/births/{bundle_id}", headers=auth)).json()
        if b["status"] in TERMINAL_STATUSES or b["status"] == "needs_attention":
            break
        for c in b["children"]:
            facts = c["services"].get("bpjs", {}).get("facts", {})
            va = facts.get("virtual_account")
            order = c["birth_order"]
            if pay and c["services"]["bpjs"]["status"] == "awaiting_payment" and va and order not in paid:
                # The family pays its first contribution at the bank.
                await http.post(f"{bpjs}/bank/pembayaran",
                                json={"virtualAccount": va, "jumlah": int(facts.get("tagihan", "0"))})
                paid.add(order)
        await asyncio.sleep(0.2)
    return {"i": i, "bundle": b, "bundle_id": bundle_id, "status": b.get("status", "?"),
            "seconds": time.monotonic() - start, "paid": bool(paid)}


def _print(res: dict) -> None:
    b = res.get("bundle")
    if not b:
        typer.echo(f"{res['i']:>3}  {res['status']}  {res.get('detail', '')}")
        return
    for c in b["children"]:
        s = c["services"]
        typer.echo(
            f"{res['i']:>3}  {res['bundle_id'][:8]}  {b['status']:<19} office={b.get('office_code') or '-'}  "
            f"child {c['birth_order']}: NIK {_mask(s['nik']['document_number'])}  "
            f"akta {s['akta']['document_number'] or '-':<24} KIA {s['kia']['facts'].get('jenis', '-'):<4} "
            f"BPJS {s['bpjs']['facts'].get('segmen', '-')}/{s['bpjs']['facts'].get('status', '-'):<19} "
            f"KK {'reissued' if b['kk']['status'] == 'completed' else b['kk']['status']:<9} "
            f"{res['seconds']:6.2f}s{'  (paid VA)' if res['paid'] else ''}")


@app.command()
def demo(
    births: Annotated[int, typer.Option(min=1, max=1000, help="how many deliveries to post")] = 5,
    api_url: Annotated[str | None, typer.Option("--api", envvar="KELAHIRAN_DEMO_API", help=(
        "the API; default: from DATA_DIR/urls.json (written by `kelahiran up`), else :8000"))] = None,
    dukcapil: Annotated[str | None, typer.Option(envvar="KELAHIRAN_DUKCAPIL_URL", help=(
        "the Dukcapil simulator; default: as --api (:8101)"))] = None,
    bpjs: Annotated[str | None, typer.Option(envvar="KELAHIRAN_BPJS_URL", help=(
        "the BPJS simulator; default: as --api (:8102)"))] = None,
    key: Annotated[str | None, typer.Option(envvar="KELAHIRAN_HOSPITAL_KEY", help=(
        "the hospital's API key; default: the demo hospital's, from DATA_DIR/demo-credentials.json"))] = None,
    data_dir: Annotated[Path, typer.Option(envvar="KELAHIRAN_DATA_DIR",
                                           help="the data dir of `kelahiran up`")] = Path("data"),
    pay: Annotated[bool, typer.Option(help="pay BPJS virtual accounts like a family would")] = True,
    concurrency: Annotated[int, typer.Option(min=1, max=100)] = 10,
    timeout: Annotated[float, typer.Option(help="seconds to wait per bundle")] = 120.0,
    seed: Annotated[int | None, typer.Option(help="fix the draw for a reproducible demo")] = None,
) -> None:
    """Post births for families drawn from the population to a running stack; print each outcome."""

    import httpx

    from cli.local import read_urls

    urls = read_urls(data_dir)
    api_url = api_url or urls.get("api") or "http://127.0.0.1:8000"
    dukcapil = dukcapil or urls.get("dukcapil") or "http://127.0.0.1:8101"
    bpjs = bpjs or urls.get("bpjs") or "http://127.0.0.1:8102"
    if key is None:
        try:
            key = json.loads((data_dir / "demo-credentials.json").read_text())["hospital_key"]
        except (OSError, ValueError, KeyError):
            typer.secho(f"kelahiran demo: no --key given and no demo credentials in {data_dir}: start "
                        "`kelahiran up` first or pass a hospital key", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from None
    _reachable(httpx, {"--api": f"{api_url}/health", "--dukcapil": f"{dukcapil}/health",
                       "--bpjs": f"{bpjs}/health"})

    async def run() -> list[dict]:
        rng = random.Random(seed)  # noqa: S311 - choosing demo data
        sem = asyncio.Semaphore(concurrency)
        taken: set[str] = set()  # one birth per family in a run
        async with httpx.AsyncClient(timeout=30) as http:
            async def guarded(i: int) -> dict:
                async with sem:
                    res = await _one(i, http, api_url, dukcapil, bpjs, key, rng, pay, timeout, taken)
                _print(res)
                return res
            return await asyncio.gather(*(guarded(i) for i in range(births)))

    results = asyncio.run(run())
    done = [r for r in results if r["status"] in ("completed", "stillbirth_recorded")]
    secs = sorted(r["seconds"] for r in done)
    median = secs[len(secs) // 2] if secs else 0.0
    typer.echo(f"\n{len(done)}/{births} bundles completed; median time to complete {median:.2f}s")
    if len(done) != births:
        raise typer.Exit(1)


def _reachable(httpx, urls: dict[str, str]) -> None:
    """Each service answers before any birth is posted: a dead URL is one line, not one per birth."""
    for option, url in urls.items():
        try:
            httpx.get(url, timeout=5, trust_env=False)
        except httpx.HTTPError:
            base = url.rsplit("/", 1)[0]
            typer.secho(f"kelahiran demo: nothing answers at {base}: start the stack (`kelahiran up`) or "
                        f"pass {option}", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from None
