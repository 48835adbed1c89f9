"""Create the demo dossiers through the services (demo data: never in production)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.accounts.demo import DemoUnitMissing
from egov.dossiers.demo import DEFAULT_COUNT, load_demo_dossiers
from egov.dossiers.models import Status


class Command(BaseCommand):
    help = (
        "Create a few hundred demo dossiers in every status, some overdue, across the demo "
        "agencies and procedures (needs load_demo_units, load_demo_procedures and "
        "load_demo_accounts first). Skips if demo dossiers exist, unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo dossiers first, then reload"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be at least 1")
        try:
            report = load_demo_dossiers(
                count=options["count"], seed=options["seed"], reset=options["reset"]
            )
        except DemoUnitMissing as exc:
            raise CommandError(str(exc)) from exc
        if report.skipped:
            self.stdout.write("Demo dossiers already exist; nothing done (use --reset to reload).")
            return
        if report.deleted:
            self.stdout.write(f"{report.deleted} demo dossiers deleted.")
        self.stdout.write(f"{report.created} demo dossiers created.")
        for status in Status:
            self.stdout.write(
                f"  {status.value:>2} {status.name.lower():<22} {report.by_status[status.value]}"
            )
        self.stdout.write(
            f"  overdue now: {report.overdue}; apology letters: {report.apologies}; "
            f"passed to another agency: {report.consulted}"
        )
        if report.failures:
            self.stdout.write(
                f"  {len(report.failures)} scenario(s) skipped, e.g. {report.failures[0]}"
            )
