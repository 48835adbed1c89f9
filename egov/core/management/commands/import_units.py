"""Import (or, with --export, write out) the organisation tree as CSV or JSON.

File format: one unit per row/object with the columns ``code, name, short_name,
level, parent_code, is_one_stop, statistics_code, address, phone, email,
website``; ``code, name, level, parent_code`` are required, a column left out is
left untouched. ``level`` is one of ``province, provincial_agency, district,
district_agency, commune, internal``; ``is_one_stop`` is 1/0. CSV files are UTF-8
(a BOM from Excel is fine) with a header line; JSON files hold a list of objects
(or ``{"units": [...]}``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.core.selectors.units import UNIT_COLUMNS, get_unit_by_code, unit_rows
from egov.core.services.unit_import import (
    ImportReport,
    UnitImportError,
    import_unit_rows,
    read_unit_records,
)


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "json"):
        return suffix
    raise CommandError(_("Cannot tell the format from the file name: add --format csv or json."))


def read_records(path: Path, file_format: str) -> tuple[list[dict[str, Any]], int]:
    """The raw records of the file and the number of its first data row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from exc
    if file_format == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("%(path)s is not valid JSON: %(error)s") % {"path": path, "error": exc}
            ) from exc
        if isinstance(data, dict):
            data = data.get("units")
        if not isinstance(data, list):
            raise CommandError(_("A JSON file must hold a list of units."))
        return data, 1
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    records = []
    for record in reader:
        # Columns beyond the header come back under the key None; report them.
        extra = record.pop(None, None)
        if extra and any(str(value).strip() for value in extra):
            record["(extra)"] = ""
        records.append(dict(record))
    return records, 2


def write_records(path: Path, file_format: str, rows: list[dict[str, Any]]) -> None:
    if file_format == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(UNIT_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "is_one_stop": "1" if row["is_one_stop"] else "0"})


def _show(value: Any) -> str:
    return "∅" if value in (None, "") else str(value)


def describe(report: ImportReport) -> list[str]:
    """Readable lines for every change of an import report."""
    labels = {"create": _("create"), "update": _("update"), "move": _("move")}
    lines = []
    for change in report.changes:
        lines.append(
            _("row %(row)s: %(action)s %(code)s %(name)s")
            % {
                "row": change.row,
                "action": labels.get(change.action, change.action),
                "code": change.code,
                "name": change.name,
            }
        )
        for name, (old, new) in change.changes.items():
            if change.action == "create":
                lines.append(f"    {name}: {_show(new)}")
            else:
                lines.append(f"    {name}: {_show(old)} → {_show(new)}")
    return lines


def summary(report: ImportReport) -> str:
    return _(
        "%(created)s created, %(updated)s updated, %(moved)s moved, %(unchanged)s unchanged."
    ) % {
        "created": report.count("create"),
        "updated": report.count("update"),
        "moved": report.count("move"),
        "unchanged": report.unchanged,
    }


class Command(BaseCommand):
    help = (
        "Create or update organisation units from a CSV or JSON file (matched by current "
        "or former identifier code); all or nothing. With --export, write the current "
        "tree to the file instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "json"], dest="file_format")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--export", action="store_true", help="Write the units in operation to the file."
        )
        parser.add_argument(
            "--root", default="", help="With --export: only this unit (by code) and below."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        file_format = _format_of(path, options["file_format"])
        if options["export"]:
            self._export(path, file_format, options["root"])
            return
        records, first_row = read_records(path, file_format)
        try:
            rows = read_unit_records(records, first_row=first_row)
            report = import_unit_rows(None, rows, dry_run=options["dry_run"])
        except UnitImportError as exc:
            lines = [str(error) for error in exc.errors]
            lines.append(_("Nothing was imported."))
            raise CommandError("\n".join(lines)) from exc
        for line in describe(report):
            self.stdout.write(line)
        self.stdout.write(summary(report))
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))

    def _export(self, path: Path, file_format: str, root_code: str) -> None:
        root = None
        if root_code:
            root = get_unit_by_code(root_code)
            if root is None:
                raise CommandError(_("No unit with the code %(code)s.") % {"code": root_code})
        rows = unit_rows(root)
        write_records(path, file_format, rows)
        self.stdout.write(
            _("%(count)s units written to %(path)s.") % {"count": len(rows), "path": path}
        )
