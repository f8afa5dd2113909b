"""`kelahiran simulator sample`: draw families with given traits from the simulated population."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tools.commands.local_stack import DataDir, stack_url

app = typer.Typer()


@app.command("sample")
def sample(
    kab_kota: Annotated[str | None, typer.Option(help="e.g. 3673, 3604, 3672, 3201, 3671")] = None,
    kecamatan: Annotated[str | None, typer.Option(help="6-digit kecamatan code, e.g. 367305")] = None,
    segmen: Annotated[str | None, typer.Option(help="PBI, PPU, PBPU, NONE or NONAKTIF")] = None,
    marital: Annotated[str | None, typer.Option(
        help="KAWIN_TERCATAT, KAWIN_BELUM_TERCATAT or TIDAK_KAWIN")] = None,
    legacy_nik: Annotated[bool | None, typer.Option(help="a parent holds a legacy 3604 NIK")] = None,
    anak: Annotated[int | None, typer.Option(help="exact number of children already on the KK")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 1,
    seed: int = 0,
    url: Annotated[str | None, typer.Option(envvar="KELAHIRAN_DUKCAPIL_URL", help=(
        "the Dukcapil simulator; default: from DATA_DIR/urls.json"))] = None,
    data_dir: DataDir = Path("data"),
) -> None:
    """Print sample families (JSON) with what a birth notification for them needs."""
    import httpx

    url = stack_url(url, "dukcapil", data_dir, command="simulator sample", option="--url")

    params = {k: v for k, v in {"kab_kota": kab_kota, "kecamatan": kecamatan, "segmen": segmen,
                                "marital": marital, "legacy_nik": legacy_nik, "anak": anak,
                                "limit": limit, "seed": seed}.items() if v is not None}
    r = httpx.get(f"{url}/v1/sampel/keluarga", params=params, timeout=10)
    if r.status_code != 200:
        typer.echo(f"simulator answered {r.status_code}: {r.text}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(r.json(), indent=2, ensure_ascii=False))
