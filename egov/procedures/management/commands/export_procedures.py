"""Write the procedure catalogue to a file: JSON (everything) or CSV (the list)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from egov.procedures.importexport import csv_rows, export_json, write_csv
from egov.procedures.management.commands.import_procedures import file_format


class Command(BaseCommand):
    help = (
        "Export the catalogue: JSON holds every procedure with all its versions, papers "
        "and agencies; CSV one row per procedure (its current version)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "json"], dest="file_format")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind = file_format(path, options["file_format"])
        if kind == "json":
            document = export_json()
            path.write_text(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            count = len(document["procedures"])
        else:
            rows = csv_rows()
            with path.open("w", encoding="utf-8", newline="") as handle:
                write_csv(handle, rows)
            count = len(rows)
        self.stdout.write(
            _("%(count)s procedures written to %(path)s.") % {"count": count, "path": path}
        )
