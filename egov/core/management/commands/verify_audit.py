"""``manage.py verify_audit``: check that the audit log is intact.

Exits 0 and prints a summary when every entry matches its hash and links to the
one before it; otherwise prints the first broken link and exits non-zero, so it
can run from cron or a monitoring probe.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from egov.core.audit import guard_installed, verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit log in order, recompute every entry's hash and check the links "
        "between entries and the chain head. Exits non-zero at the first broken link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Entries read from the database at a time (memory stays constant).",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias to verify."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        using: str = options["database"]
        if guard_installed(using) is False:
            self.stderr.write(
                self.style.WARNING(
                    "Warning: the triggers that make the audit table append-only are missing "
                    "or disabled; re-apply them (see core migration 0002)."
                )
            )
        result = verify_chain(batch_size=batch_size, using=using)
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
