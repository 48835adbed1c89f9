"""Ask the payment platform about payments left pending, and apply its answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.payments import services


class Command(BaseCommand):
    help = (
        "Query the national payment platform for payments still pending after "
        "EGOV_PAYMENTS_RECONCILE_AFTER_MINUTES and mark them paid, failed or expired "
        "(a success confirms the dossier, as the platform's notification would)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="MINUTES",
            help="Check pending payments created at least this many minutes ago "
            f"(default {settings.EGOV_PAYMENTS_RECONCILE_AFTER_MINUTES}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.reconcile(older_than_minutes=options["older_than"])
        changed = ", ".join(f"{k}: {v}" for k, v in sorted(report.changed.items())) or "none"
        self.stdout.write(
            f"checked {report.checked}; changed: {changed}; still pending: "
            f"{report.still_pending}; errors: {len(report.errors)}"
        )
        for error in report.errors:
            self.stderr.write(error)
