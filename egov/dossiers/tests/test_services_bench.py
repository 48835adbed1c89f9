"""The receipt benchmark script runs and checks its own results (on a SQLite file:
pytest-django's in-memory database cannot be shared with a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.database_independent
@pytest.mark.skipif(os.name != "posix", reason="runs the benchmark script in a subprocess")
def test_bench_receive_runs_on_a_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "EGOV_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "bench_receive.py"),
            "--dossiers",
            "24",
            "--workers",
            "3",
            "--agencies",
            "2",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Received 24 dossiers with 3 threads at 2 agencies" in result.stdout
    assert "24 dossiers stored, 24 distinct codes" in result.stdout
    assert "audit chain verified" in result.stdout
    assert "Projection for 73,502 dossiers" in result.stdout
