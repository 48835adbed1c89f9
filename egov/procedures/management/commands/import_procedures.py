"""Import procedures from a JSON file (full content) or a CSV list; all or nothing.

See :mod:`egov.procedures.importexport` for the formats and what an import does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.procedures.importexport import (
    ImportReport,
    ProcedureImportError,
    import_entries,
    read_csv,
    read_json,
)


def file_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "json"):
        return suffix
    raise CommandError(_("Cannot tell the format from the file name: add --format csv or json."))


def describe(report: ImportReport) -> list[str]:
    labels = {
        "create": _("created"),
        "update": _("draft updated"),
        "new_version": _("new version"),
        "unchanged": _("unchanged"),
        "field_create": _("field created"),
        "field_update": _("field renamed"),
    }
    lines = []
    for change in report.changes:
        label = labels.get(change.action, change.action)
        line = f"{change.location}: {change.national_code} {label}"
        if change.number is not None:
            line += f" (v{change.number})"
        if change.published:
            line += " – " + _("published")
        lines.append(line)
    lines.append(
        _(
            "%(created)s created, %(new)s new versions, %(updated)s drafts updated, "
            "%(unchanged)s unchanged, %(published)s published."
        )
        % {
            "created": report.count("create"),
            "new": report.count("new_version"),
            "updated": report.count("update"),
            "unchanged": report.count("unchanged"),
            "published": report.published,
        }
    )
    return lines


class Command(BaseCommand):
    help = (
        "Create or update procedures from a JSON or CSV file (matched by national code); "
        "all or nothing. --publish puts the resulting drafts in force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "json"], dest="file_format")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the drafts created or updated."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind = file_format(path, options["file_format"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from exc
        try:
            if kind == "json":
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise CommandError(
                        _("%(path)s is not valid JSON: %(error)s") % {"path": path, "error": exc}
                    ) from exc
                fields, entries = read_json(data)
            else:
                fields, entries = [], read_csv(text)
            report = import_entries(
                None,
                entries,
                fields=fields,
                publish=options["publish"],
                dry_run=options["dry_run"],
            )
        except ProcedureImportError as exc:
            lines = [str(problem) for problem in exc.problems]
            lines.append(_("Nothing was imported."))
            raise CommandError("\n".join(lines)) from exc
        for line in describe(report):
            self.stdout.write(line)
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
