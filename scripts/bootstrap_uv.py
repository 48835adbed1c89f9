#!/usr/bin/env python3
"""Print the path of a `uv` executable, installing it into .tools/ when missing.

A fresh Debian/Ubuntu machine has Python and make but neither pip nor uv
(and Debian's Python refuses `pip install` outside a venv), so this fetches
uv's wheel from PyPI with the standard library, checks its SHA-256 against the
index, and unpacks the binary. Only the standard library is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import stat
import sys
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "bin"
UV_VERSION = "0.13.9"  # the version that wrote uv.lock
INDEX = os.environ.get("EGOV_PYPI_JSON", "https://pypi.org/pypi")


def _platform_tags() -> list[str]:
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if sys.platform.startswith("linux"):
        return [f"manylinux_2_17_{arch}", f"musllinux_1_1_{arch}", f"manylinux2014_{arch}"]
    if sys.platform == "darwin":
        return ["macosx_11_0_arm64" if arch == "aarch64" else "macosx_10_12_x86_64"]
    raise SystemExit(f"unsupported platform {sys.platform}/{machine}: install uv yourself")


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (https only)
        return response.read()


def install() -> Path:
    index_url = f"{INDEX}/uv/json"
    meta = json.loads(_download(index_url))
    files = meta["releases"].get(UV_VERSION) or meta["urls"]
    for tag in _platform_tags():
        match = [f for f in files if f["filename"].endswith(".whl") and tag in f["filename"]]
        if match:
            chosen = match[0]
            break
    else:
        raise SystemExit("no uv wheel for this platform on PyPI")
    blob = _download(urljoin(index_url, chosen["url"]))  # some mirrors give relative URLs
    if hashlib.sha256(blob).hexdigest() != chosen["digests"]["sha256"]:
        raise SystemExit("uv wheel checksum mismatch; refusing to install")
    TOOLS.mkdir(parents=True, exist_ok=True)
    target = TOOLS / "uv"
    with zipfile.ZipFile(BytesIO(blob)) as wheel:
        member = next(n for n in wheel.namelist() if n.endswith("/scripts/uv"))
        target.write_bytes(wheel.read(member))
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return target


def main() -> None:
    local = TOOLS / "uv"
    found = shutil.which("uv")
    if found:
        print(found)
    elif local.exists():
        print(local)
    else:
        print(f"uv not found; fetching uv {UV_VERSION} from PyPI into {TOOLS}", file=sys.stderr)
        print(install())


if __name__ == "__main__":
    main()
