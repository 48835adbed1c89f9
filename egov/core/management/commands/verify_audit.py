"""``manage.py verify_audit``: check that the audit log is intact.

Exits 0 and prints a summary when the append-only triggers are in place, every
entry matches its hash and links to the one before it, the keyed seal of the
chain head matches, and the chain agrees with every signed checkpoint the
checkpoint stores hold. Otherwise prints what is wrong and exits non-zero, so it
can run from cron or a monitoring probe.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from egov.core.audit import guard_problems, verify_chain
from egov.core.audit_checkpoints import load_checkpoints


class Command(BaseCommand):
    help = (
        "Check the audit log: the append-only triggers, every entry's hash and link, the "
        "keyed seal of the chain head and the signed checkpoints. Exits non-zero on any "
        "problem."
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
        problems = [
            _(
                "Append-only guard: %(problem)s; re-create the triggers with "
                "manage.py audit_guard --install."
            )
            % {"problem": problem}
            for problem in guard_problems(using)
        ]
        # Checkpoints first, then the chain: none can then be newer than the head read.
        checkpoints, invalid = load_checkpoints()
        problems += [
            _("Checkpoint store: %(problem)s.") % {"problem": problem} for problem in invalid
        ]
        result = verify_chain(batch_size=batch_size, using=using, checkpoints=checkpoints)
        if not result.ok:
            problems.append(result.summary())
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(result.summary()))
