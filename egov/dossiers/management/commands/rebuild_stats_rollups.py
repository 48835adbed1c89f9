"""Rebuild the statistics' roll-ups for a range of submission months (or all)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.dossiers.services.rollups import rebuild_rollups


def _month(text: str | None) -> date | None:
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise CommandError(f"not a month (YYYY-MM): {text!r}") from error


class Command(BaseCommand):
    help = (
        "Rebuild the daily and monthly statistics roll-ups of the dossiers submitted from "
        "--from to --to (months, YYYY-MM, both included; every month when neither is "
        "given). Safe while the background job runs: it waits for the job's lock."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", help="first month of submission, YYYY-MM")
        parser.add_argument("--to", dest="last", help="last month of submission, YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = _month(options["first"]), _month(options["last"])
        if first and last and last < first:
            raise CommandError("--to must not be before --from")
        parts, months = rebuild_rollups(first, last)
        self.stdout.write(
            f"Rebuilt {parts} submission month(s); {months} calendar month(s) re-summed."
        )
