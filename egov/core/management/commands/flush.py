"""``flush`` that can empty the append-only audit log (core migration 0002).

Django's test runner empties every table with ``flush`` after each transactional
test (``transaction=True``, ``live_server``); the audit triggers would refuse
that as soon as a test wrote an entry. Emptying a whole database is the one case
where removing audit entries is intended, so the guard is lifted for the flush,
inside its transaction (a failure puts the triggers back). The rows apps need
to work (``core.seeds``: roles, default templates) are seeded again afterwards,
so the next test finds the database as the migrations left it.

On PostgreSQL the test runner's flush (no confirmation, sequences kept) deletes
the rows instead of truncating the tables: a test leaves a few rows in a few of
150 tables, and ``TRUNCATE`` gives every table, index and TOAST table a new file
and syncs them at commit — about a second per transactional test on CI's disk,
where ``DELETE`` of the same rows takes milliseconds. Foreign keys are deferred
(Django declares them ``DEFERRABLE INITIALLY DEFERRED``), so the order does not
matter. ``manage.py flush`` typed by a person keeps Django's ``TRUNCATE``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from egov.core import seeds
from egov.core.audit import suspended_append_only_guard


class Command(DjangoFlushCommand):
    help = DjangoFlushCommand.help + " Audit log entries are removed too."

    def handle(self, **options: Any) -> None:
        using = options["database"]
        connection = connections[using]
        by_delete = (
            connection.vendor == "postgresql"
            and not options["interactive"]
            and not options.get("reset_sequences", True)
        )
        with transaction.atomic(using=using), suspended_append_only_guard(using):
            if by_delete:
                if _delete_every_row(connection) and not options.get("inhibit_post_migrate", False):
                    emit_post_migrate_signal(options["verbosity"], False, using)
            else:
                super().handle(**options)
            seeds.run_all()


def _delete_every_row(connection: BaseDatabaseWrapper) -> int:
    """Empty every table of the installed models; the number of tables."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - names from introspection
    return len(tables)
