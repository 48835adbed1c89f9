"""``manage.py audit_checkpoint``: sign and export a checkpoint of the audit chain now.

The background job ``core.audit_checkpoint`` does the same once every
``EGOV_AUDIT_CHECKPOINT_HOURS``. Nothing is signed unless the whole chain
verifies first; then the command exits non-zero with what is wrong.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from egov.core.audit_checkpoints import CheckpointRefused, write_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit log, then write a signed checkpoint of its head (entry, hash, "
        "keyed seal, time) to every configured checkpoint store."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias of the audit log."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = write_checkpoint(using=options["database"])
        except CheckpointRefused as exc:
            raise CommandError(_("No checkpoint written: %(reason)s") % {"reason": exc}) from exc
        if written is None:
            self.stdout.write(_("The audit log is empty; no checkpoint written."))
            return
        checkpoint, locations = written
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint of entry #%(entry)d (%(count)d entries) written to: %(locations)s")
                % {
                    "entry": checkpoint.entry_id,
                    "count": checkpoint.entries,
                    "locations": ", ".join(locations),
                }
            )
        )
