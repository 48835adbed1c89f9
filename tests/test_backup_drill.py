"""The restore drill (issue 16): back up an installation with dossiers, stored files
and a signed audit chain; restore it into a fresh database and file store in
another process; the drill verifies the chain, every file's checksum, the rows
and a sample of dossiers. Tampering with the copy is caught; a database that is
not empty is never restored into. Runs on SQLite and, in CI's second pass, on
PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from egov.core.backup import BackupError, make_backup, read_manifest
from egov.dossiers.services.papers import PaperIn
from egov.dossiers.tests.factories import build_world, complete_papers, receive

ROOT = Path(__file__).resolve().parents[1]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def installation(transactional_db: None, settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    settings.EGOV_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    world = build_world()
    for number in range(3):
        papers = complete_papers(world)
        papers[0] = PaperIn(
            required_paper=papers[0].required_paper,
            copies=papers[0].copies,
            form=papers[0].form,
            file=ContentFile(PDF + str(number).encode(), name=f"don-{number}.pdf"),
        )
        receive(world, papers=papers)
    return tmp_path


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL of an empty database of the same kind as the tests'."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    conf = connection.settings_dict
    name = f"egov_restore_{uuid.uuid4().hex[:10]}"
    params = {"host": conf["HOST"], "port": conf["PORT"], "user": conf["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(arguments: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EGOV_VAR_DIR": str(tmp_path / "restored-var"),
        "EGOV_FILE_STORAGE_PATH": str(tmp_path / "restored-files"),
        "EGOV_AUDIT_CHECKPOINT_DIR": str(tmp_path / "restored-checkpoints"),
        "EGOV_AUDIT_KEY": str(settings.EGOV_AUDIT_KEY),
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restores_into_a_fresh_installation_and_the_drill_passes(
    installation: Path, fresh_database: str
) -> None:
    tmp_path = installation
    manifest = make_backup(tmp_path / "backup")
    assert len(manifest["files"]) == 3
    assert manifest["checkpoint"] is not None
    assert manifest["rows"]["dossiers_dossier"] == 3

    restored = _manage(["restore_backup", str(tmp_path / "backup")], fresh_database, tmp_path)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restored copy verified" in restored.stdout
    assert "3 files by checksum" in restored.stdout and "dossiers 20" in restored.stdout

    # A file changed in the restored store is caught by the drill.
    victim = next((tmp_path / "restored-files").rglob("don-1*.pdf"))
    victim.write_bytes(b"%PDF-1.4 altered")
    again = _manage(
        ["restore_backup", "--verify-only", str(tmp_path / "backup")], fresh_database, tmp_path
    )
    assert again.returncode != 0
    assert "differs from the backup" in again.stderr

    # Restoring over an installation that has data is refused.
    over = _manage(["restore_backup", str(tmp_path / "backup")], fresh_database, tmp_path)
    assert over.returncode != 0
    assert "not empty" in over.stderr


def test_an_altered_manifest_is_refused(installation: Path) -> None:
    target = installation / "backup"
    make_backup(target)
    manifest = (target / "manifest.json").read_text()
    (target / "manifest.json").write_text(manifest.replace('"size": ', '"size": 1', 1))
    with pytest.raises(BackupError, match="signature"):
        read_manifest(target)


def test_a_backup_never_lands_on_an_earlier_one(installation: Path) -> None:
    target = installation / "backup"
    make_backup(target)
    with pytest.raises(BackupError, match="not empty"):
        make_backup(target)
