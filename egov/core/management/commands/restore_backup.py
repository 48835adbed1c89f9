"""``manage.py restore_backup DIR``: load a backup into the configured database and
file store (both must be empty), then run the drill: audit chain, file checksums,
row counts and the apps' samples. ``--verify-only`` runs the drill alone.
Exits non-zero on any problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty installation and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Do not restore; check this installation against the backup.",
        )
        parser.add_argument("--sample", type=int, default=20, help="Records per app sampled.")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["directory"]
        if not options["verify_only"]:
            try:
                restore(source)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        report = verify(source, sample=options["sample"])
        if not report.ok:
            raise CommandError("\n".join(report.problems))
        samples = ", ".join(f"{name} {size}" for name, size in report.samples.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored copy verified: {report.rows} rows in {report.tables} tables, "
                f"{report.files} files by checksum, samples: {samples or 'none'}. "
                f"{report.chain}"
            )
        )
