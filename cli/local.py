"""The data folder of `kelahiran up` as the other commands see it: where the stack's URLs and keys are.

`up` writes <data-dir>/urls.json when its processes are ready; `demo`, `admin` and `readmodel` take
from it (and from the key files next to it) whatever the environment does not say, so on a laptop
they work with no settings at all. The data folder is KELAHIRAN_DATA_DIR, else ./data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the commands import settings lazily (`kelahiran --help` stays fast)
    from cli.stack import Stack
    from infra.settings import Settings

URLS = "urls.json"
# Setting -> the environment variables that name it (any one set means: the environment decides).
_FROM_ENV = {
    "temporal_address": ("TEMPORAL_ADDRESS", "KELAHIRAN_TEMPORAL_ADDRESS"),
    "database_url": ("KELAHIRAN_DATABASE_URL",),
    "payload_keys": ("KELAHIRAN_PAYLOAD_KEYS",),
    "payload_key_id": ("KELAHIRAN_PAYLOAD_KEYS", "KELAHIRAN_PAYLOAD_KEY_ID"),
    "readmodel_keys": ("KELAHIRAN_READMODEL_KEYS",),
    "readmodel_key_id": ("KELAHIRAN_READMODEL_KEYS", "KELAHIRAN_READMODEL_KEY_ID"),
}


def data_dir() -> Path:
    return Path(os.environ.get("KELAHIRAN_DATA_DIR") or "data")


def private_data_dir(data: Path) -> None:
    """The data folder and its logs folder for this user only (0700), and every file already in it
    0600: a folder made by an older `up` (files 0644) is tightened, not left readable."""
    (data / "logs").mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder, subdirs, files in os.walk(data):
        Path(folder).chmod(0o700)
        for name in files:
            path = Path(folder) / name
            if not path.is_symlink():
                path.chmod(0o600)
        subdirs[:] = [d for d in subdirs if not (Path(folder) / d).is_symlink()]


def write_urls(stack: Stack) -> Path:
    """What the other commands need to find this stack."""
    from sqlalchemy.engine import make_url

    p = stack.ports
    urls = {
        "api": stack.url(p.api),
        "apis": [stack.url(port) for port in stack.api_ports()],
        "temporal": f"{stack.dial}:{p.temporal}",
        "temporal_ui": stack.url(p.temporal_ui),
        "dukcapil": stack.url(p.dukcapil),
        "bpjs": stack.url(p.bpjs),
        "sms": stack.url(p.sms),
    }
    # A database password stays where the operator keeps it (the environment), not in a file.
    if make_url(stack.readmodel()).password is None:
        urls["database_url"] = stack.readmodel()
    path = stack.data / URLS
    path.write_text(json.dumps(urls, indent=2) + "\n")
    return path


def read_urls(data: Path | None = None) -> dict:
    """The URLs the last `up` on this data folder wrote; {} when there are none."""
    try:
        found = json.loads(((data or data_dir()) / URLS).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _key(path: Path) -> tuple[str, str] | None:
    try:
        spec = path.read_text().strip()
    except OSError:
        return None
    return (spec, spec.split(":", 1)[0]) if spec else None


def local_defaults(data: Path | None = None) -> dict[str, str]:
    """Settings for a client of the local stack: its Temporal, read model and keys."""
    data = data or data_dir()
    urls = read_urls(data)
    found: dict[str, str] = {}
    if "temporal" in urls:
        found["temporal_address"] = urls["temporal"]
    if "database_url" in urls:
        found["database_url"] = urls["database_url"]
    for name in ("payload", "readmodel"):
        if key := _key(data / f"{name}-keys"):
            found[f"{name}_keys"], found[f"{name}_key_id"] = key
    return found


def client_settings(data: Path | None = None) -> Settings:
    """Settings from the environment; what it leaves unset comes from the local stack's data folder."""
    from infra.settings import Settings

    defaults = {k: v for k, v in local_defaults(data).items()
                if not any(os.environ.get(var) for var in _FROM_ENV[k])}
    return Settings(**defaults)
