"""``manage.py audit_guard``: report on the audit table's append-only triggers, or
re-create them (``--install``) as core migration 0002 made them.

Without ``--install`` it exits non-zero when a trigger is missing, disabled or
altered. ``--install`` is the repair ``verify_audit`` points to; it is recorded in
the audit log. It needs the rights of the table's owner.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from egov.core.audit import guard_problems, reinstall_guard


class Command(BaseCommand):
    help = (
        "Check the triggers that make the audit log append-only; --install re-creates "
        "them as core migration 0002 did."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--install", action="store_true", help="Drop and re-create the triggers."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        using: str = options["database"]
        if options["install"]:
            before = reinstall_guard(using)
            for problem in before:
                self.stdout.write(_("Repaired: %(problem)s") % {"problem": problem})
        problems = guard_problems(using)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(_("The append-only triggers are in place.")))
