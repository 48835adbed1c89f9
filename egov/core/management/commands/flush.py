"""``flush`` that can empty the append-only audit log (core migration 0002).

Django's test runner empties every table with ``flush`` after each transactional
test (``transaction=True``, ``live_server``); the audit triggers would refuse
that as soon as a test wrote an entry. Emptying a whole database is the one case
where removing audit entries is intended, so the guard is lifted for the flush,
inside its transaction (a failure puts the triggers back). The rows apps need
to work (``core.seeds``: roles, default templates) are seeded again afterwards,
so the next test finds the database as the migrations left it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import transaction

from egov.core import seeds
from egov.core.audit import suspended_append_only_guard


class Command(DjangoFlushCommand):
    help = DjangoFlushCommand.help + " Audit log entries are removed too."

    def handle(self, **options: Any) -> None:
        using = options["database"]
        with transaction.atomic(using=using), suspended_append_only_guard(using):
            super().handle(**options)
            seeds.run_all()
