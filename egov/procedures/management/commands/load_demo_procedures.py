"""Load (or refresh) the demo procedure catalogue and process templates; safe to re-run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.procedures.demo import DemoUnitMissing, load_demo_procedures
from egov.procedures.importexport import ProcedureImportError
from egov.procedures.management.commands.import_procedures import describe


class Command(BaseCommand):
    help = (
        "Import and publish 35 real procedures at commune, district and province level on "
        "the demo tree (load_demo_units first), and process templates at a few agencies. "
        "Entries marked verify in the data need checking before real use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_demo_procedures(None, dry_run=options["dry_run"])
        except DemoUnitMissing as exc:
            raise CommandError(str(exc)) from exc
        except ProcedureImportError as exc:
            raise CommandError(str(exc)) from exc
        lines = describe(report.catalogue)
        self.stdout.write(lines[-1])
        if report.catalogue.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        self.stdout.write(
            _("Process templates: %(saved)s saved, %(unchanged)s unchanged.")
            % {"saved": report.templates_saved, "unchanged": report.templates_unchanged}
        )
