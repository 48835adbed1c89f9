"""Book with the post office the results waiting to go out by public post."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from egov.applicants.services import book_pending_parcels


class Command(BaseCommand):
    help = "Book pending parcels (results to deliver by public post) with the postal service."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=100, help="Parcels per run.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = book_pending_parcels(limit=options["limit"])
        self.stdout.write(
            f"booked {len(report.booked)}, retrying {len(report.retrying)}, "
            f"failed {len(report.failed)}, skipped {report.skipped}"
        )
        for code in report.failed:
            self.stderr.write(f"could not book the parcel of {code}")
