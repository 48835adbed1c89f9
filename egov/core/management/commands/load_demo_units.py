"""Load the demo organisation tree (Kiên Giang, 2019); safe to re-run."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _

from egov.core.demo_units import load_demo_units
from egov.core.models import Unit, UnitLevel
from egov.core.services.unit_import import UnitImportError


class Command(BaseCommand):
    help = (
        "Create the demo organisation tree of Kiên Giang (2019): the Provincial People's "
        "Committee, 22 departments, 15 districts, 143 communes and their one-stop desks. "
        "Re-running updates the units instead of duplicating them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show the counts of what would change."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            report = load_demo_units(None, dry_run=options["dry_run"])
        except UnitImportError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            _(
                "Demo units: %(created)s created, %(updated)s updated, %(moved)s moved, "
                "%(unchanged)s unchanged (%(seconds).1f s)."
            )
            % {
                "created": report.count("create"),
                "updated": report.count("update"),
                "moved": report.count("move"),
                "unchanged": report.unchanged,
                "seconds": elapsed,
            }
        )
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        counts = dict(
            Unit.objects.filter(dissolved_at__isnull=True)
            .order_by()
            .values_list("level")
            .annotate(n=Count("pk"))
            .values_list("level", "n")
        )
        for level in UnitLevel:
            self.stdout.write(f"  {level.label}: {counts.get(level.value, 0)}")
        one_stop = Unit.objects.filter(dissolved_at__isnull=True, is_one_stop=True).count()
        self.stdout.write("  " + _("one-stop units: %(count)s") % {"count": one_stop})
