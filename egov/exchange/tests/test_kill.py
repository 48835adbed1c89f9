"""A worker killed with SIGKILL in the middle of sending: after the leases run out
another worker sends the rest; every message reaches the axis exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).with_name("kill_worker.py")
COUNT = 30


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kill.sqlite3'}",
        "EGOV_VAR_DIR": str(tmp_path / "var"),
        "EGOV_DEMO": "1",
        "EGOV_SIMULATORS": "1",
        "EGOV_SIGNATURES_DEMO_PKI": "1",
        "EGOV_SIGNATURES_PKI_DIR": str(tmp_path / "pki"),
        "EGOV_EXCHANGE_SECRET": "kill-test-secret-0123456789",
        "EGOV_EXCHANGE_TRANSPORT": "inprocess",
        "EGOV_EXCHANGE_AXIS_URL": "http://127.0.0.1/lien-thong/mo-phong/api",
        "EGOV_EXCHANGE_LEASE_SECONDS": "2",
        "EGOV_INTEGRATIONS_RETRIES": "0",
    }


def _run(arguments: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.database_independent
def test_kill_9_mid_send_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _run(["manage.py", "migrate", "--no-input", "-v", "0"], env)
    _run([str(DRIVER), "setup", str(COUNT)], env)
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, str(DRIVER), "work"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert worker.stdout is not None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        if line.strip().isdigit() and int(line) >= COUNT // 3:
            break
    os.kill(worker.pid, signal.SIGKILL)  # kill -9, wherever it stands
    worker.wait(timeout=30)
    counts = json.loads(_run([str(DRIVER), "finish"], env).strip().splitlines()[-1])
    assert counts["rows"] == COUNT
    assert counts["sent"] == COUNT  # nothing lost
    assert counts["at_axis"] == COUNT == counts["distinct_at_axis"]  # nothing doubled
