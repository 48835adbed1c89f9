"""``manage.py backup DIR``: the database, the stored files and a fresh signed
audit checkpoint into a new directory, with a signed manifest (egov.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core.audit_checkpoints import CheckpointRefused
from egov.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database, the stored files and the audit checkpoints into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="A new (or empty) directory.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = make_backup(options["directory"])
        except (BackupError, CheckpointRefused) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(manifest['rows'].values())} rows in {len(manifest['rows'])} "
                f"tables and {len(manifest['files'])} files into {options['directory']}."
            )
        )
