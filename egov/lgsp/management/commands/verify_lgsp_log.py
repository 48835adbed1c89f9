"""``manage.py verify_lgsp_log``: recompute the LGSP message log's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egov.lgsp.messagelog import unanswered, verify


class Command(BaseCommand):
    help = "Verify the LGSP message log's hash chain; exit 1 and name each bad row."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        for problem in result.problems:
            where = f"row #{problem.entry_id}" if problem.entry_id else "head"
            self.stderr.write(f"{where}: {problem.reason}")
        if not result.ok:
            raise CommandError(
                f"LGSP message log: {len(result.problems)} problem(s) in {result.checked} rows"
            )
        for entry in unanswered():
            # Not a broken chain: the answer of a forwarded call could not be logged.
            self.stderr.write(
                f"row #{entry.pk}: {entry.method} {entry.service} by {entry.consumer} at "
                f"{entry.at.isoformat()} was forwarded but its answer is not in the log"
            )
        self.stdout.write(f"LGSP message log verified: {result.checked} rows, chain intact")
