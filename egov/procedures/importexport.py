"""Import and export of the procedure catalogue: JSON (everything) and CSV (the list).

JSON file format (``export_json`` writes it, ``read_json`` reads it)::

    {
      "format": "egov.procedures", "format_version": 1,
      "fields": [{"code": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status"}, ...],
      "procedures": [
        {"national_code": "1.001193",
         "versions": [
           {"number": 2, "status": "published", "published_at": "...", "replaced_at": null,
            "name": "...", "name_en": "...", "field": "ho-tich", "levels": ["commune"],
            "online_level": 4,
            "time_limit": "1", "time_limit_unit": "working_days", "fees": [...],
            "result_type": "...", "legal_basis": "...",
            "source": {"url": "https://dichvucong.gov.vn/...", "decision": "..."},
            "publication": {"decision": "...", "decided_on": "2026-01-05",
                            "effective_on": "2026-01-15", "posted_on": "2026-01-08"},
            "agencies": ["001.00.31.H33", ...],
            "papers": [{"name": "...", "name_en": "...", "copies": 1, "form": "original",
                        "template_name": "", "is_optional": false,
                        "is_declaration": true}]}
         ]}
      ]
    }

A procedure object may instead carry the content directly (no ``versions``),
which is handier for files written by hand. A top-level list is read as the
``procedures`` list. ``number``, ``status``, ``published_at`` and
``replaced_at`` are history and are not imported: of a procedure's ``versions``
the import takes the published one (else the highest-numbered) as the content to
bring in. Fields listed under ``fields`` are created, or renamed, as needed.

CSV (the list; one row per procedure, UTF-8 with a header)::

    national_code,name,name_en,field,levels,online_level,time_limit,time_limit_unit,fee_total,agencies

``name_en`` (the English name shown on English pages) is optional everywhere; left
out of a JSON procedure it is empty, left empty in a CSV row it stays as it is.

``levels`` and ``agencies`` (identifier codes) are separated by ``;``.
``fee_total`` is the total in đồng with the rules' defaults; on import it keeps
the current fee list when it gives the same total, otherwise it becomes one fixed
fee "Phí, lệ phí". Papers are not in the CSV; a new version keeps the current
papers.

What an import does, per procedure (matched by national code):

* unknown: create it with a draft of the content;
* with a draft: update the draft where the content differs;
* without a draft: nothing when the content equals the version in force, else a
  new draft (copying the version in force) with the content.

With ``publish`` the resulting drafts are published. All or nothing: every
problem is reported, each with its row (CSV) or JSON path and field, and nothing
is written unless there are none. A dry run does everything and rolls back, so
its report is exactly what a real run would do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.models import Unit
from egov.procedures import services
from egov.procedures.models import (
    Procedure,
    ProcedureField,
    ProcedureVersion,
    VersionStatus,
)
from egov.procedures.selectors import current_versions, fee_for, published_version
from egov.procedures.services import CONTENT_FIELDS, Actor, Problem

FORMAT = "egov.procedures"
FORMAT_VERSION = 1
CSV_COLUMNS: tuple[str, ...] = (
    "national_code",
    "name",
    "name_en",
    "field",
    "levels",
    "online_level",
    "time_limit",
    "time_limit_unit",
    "fee_total",
    "agencies",
)
_HISTORY_KEYS = {"number", "status", "published_at", "replaced_at"}
_VERSION_KEYS = set(CONTENT_FIELDS) | {"papers", "agencies"} | _HISTORY_KEYS
_CSV_FEE_NAME = "Phí, lệ phí"
_JSON_DEFAULTS: dict[str, Any] = {
    "online_level": 2,
    "time_limit_unit": "working_days",
    "fees": [],
    "result_type": "",
    "legal_basis": "",
    "source": {},
    "publication": {},
    "agencies": [],
    "papers": [],
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import file: where (``row 4`` or ``procedures[3]``), which
    field (a JSON path below it, or a CSV column) and what."""

    location: str
    field: str
    message: str
    #: True for a CSV row (``field`` is then a column), False for a JSON path.
    in_csv: bool = False

    def __str__(self) -> str:
        if not self.in_csv:
            where = f"{self.location}.{self.field}" if self.field else self.location
            return f"{where}: {self.message}"
        return _("%(location)s, column %(column)s: %(message)s") % {
            "location": self.location,
            "column": self.field or "-",
            "message": self.message,
        }


class ProcedureImportError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Entry:
    """One procedure to import: where it is in the file, and its content."""

    location: str
    national_code: str
    content: dict[str, Any]
    #: JSON: content keys sit under this path prefix (e.g. ``versions[1].``).
    prefix: str = ""
    #: CSV: the fee total asked for, applied against the current fee list.
    fee_total: int | None = None
    is_csv: bool = False
    problems: list[ImportProblem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportChange:
    action: str  # create, update, new_version, unchanged, field_create, field_update
    location: str
    national_code: str
    number: int | None = None
    published: bool = False


@dataclass
class ImportReport:
    changes: list[ImportChange] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def published(self) -> int:
        return sum(1 for change in self.changes if change.published)


class _DryRunRollback(Exception):
    def __init__(self, report: ImportReport) -> None:
        self.report = report


# --- reading files ------------------------------------------------------------------


def read_json(data: Any) -> tuple[list[dict[str, str]], list[Entry]]:
    """The fields and procedure entries of a parsed JSON file."""
    fields: list[dict[str, str]] = []
    entries: list[Entry] = []
    problems: list[ImportProblem] = []
    if isinstance(data, list):
        data = {"procedures": data}
    if not isinstance(data, Mapping):
        raise ProcedureImportError(
            [ImportProblem("procedures", "", _("The file must hold an object or a list."))]
        )
    if data.get("format", FORMAT) != FORMAT or data.get("format_version", 1) != FORMAT_VERSION:
        raise ProcedureImportError(
            [
                ImportProblem(
                    "procedures",
                    "",
                    _("Unknown file format: expected %(format)s version %(version)s.")
                    % {"format": FORMAT, "version": FORMAT_VERSION},
                )
            ]
        )
    for index, raw in enumerate(data.get("fields") or []):
        where = f"fields[{index}]"
        if (
            not isinstance(raw, Mapping)
            or not str(raw.get("code", "")).strip()
            or not str(raw.get("name", "")).strip()
        ):
            problems.append(ImportProblem(where, "", _("A field needs a code and a name.")))
            continue
        fields.append(
            {
                "code": str(raw["code"]).strip(),
                "name": str(raw["name"]).strip(),
                "name_en": str(raw.get("name_en") or "").strip(),
            }
        )
    raw_procedures = data.get("procedures")
    if not isinstance(raw_procedures, list):
        problems.append(ImportProblem("procedures", "", _("Must be a list of procedures.")))
        raw_procedures = []
    for index, raw in enumerate(raw_procedures):
        entries.append(_json_entry(index, raw))
    if problems:
        raise ProcedureImportError(problems)
    return fields, entries


def _json_entry(index: int, raw: Any) -> Entry:
    location = f"procedures[{index}]"
    if not isinstance(raw, Mapping):
        entry = Entry(location, "", {})
        entry.problems.append(ImportProblem(location, "", _("Each procedure must be an object.")))
        return entry
    code = str(raw.get("national_code") or "").strip()
    entry = Entry(location, code, {})
    if not code:
        entry.problems.append(ImportProblem(location, "national_code", _("This key is required.")))
    if "versions" in raw:
        unknown = set(raw) - {"national_code", "versions"}
        versions = raw["versions"]
        if not isinstance(versions, list) or not versions:
            entry.problems.append(
                ImportProblem(location, "versions", _("Must be a non-empty list of versions."))
            )
            return entry
        chosen = _chosen_version(versions)
        entry.prefix = f"versions[{chosen}]."
        body = versions[chosen]
        if not isinstance(body, Mapping):
            entry.problems.append(
                ImportProblem(location, entry.prefix[:-1], _("Each version must be an object."))
            )
            return entry
    else:
        body = {key: value for key, value in raw.items() if key != "national_code"}
        unknown = set()
    unknown |= set(body) - _VERSION_KEYS
    for key in sorted(unknown, key=str):
        entry.problems.append(ImportProblem(location, f"{entry.prefix}{key}", _("Unknown key.")))
    given = {
        key: value for key, value in body.items() if key not in _HISTORY_KEYS and key not in unknown
    }
    # A JSON procedure is its whole content: what is left out is empty.
    entry.content = {**_JSON_DEFAULTS, **given}
    return entry


def _chosen_version(versions: Sequence[Any]) -> int:
    best, best_number = len(versions) - 1, -1
    for index, version in enumerate(versions):
        if not isinstance(version, Mapping):
            continue
        if version.get("status") == VersionStatus.PUBLISHED:
            return index
        number = version.get("number")
        if isinstance(number, int) and number > best_number:
            best, best_number = index, number
    return best


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def read_csv(text: str) -> list[Entry]:
    """Procedure entries of a CSV list (header line first; ``;`` or ``,`` delimited)."""
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = reader.fieldnames or []
    first = _("row %(n)s") % {"n": 1}
    problems = [
        ImportProblem(first, str(column), _("Unknown column."), in_csv=True)
        for column in header
        if column not in CSV_COLUMNS
    ]
    for column in ("national_code", "name"):
        if column not in header:
            problems.append(ImportProblem(first, column, _("This column is missing."), in_csv=True))
    if problems:
        raise ProcedureImportError(problems)
    entries = []
    for number, record in enumerate(reader, start=2):
        location = _("row %(n)s") % {"n": number}
        extra = record.pop(None, None)
        entry = Entry(location, str(record.get("national_code") or "").strip(), {}, is_csv=True)
        if extra and any(str(value).strip() for value in extra):
            entry.problems.append(
                ImportProblem(
                    location, "-", _("More values than columns in the header."), in_csv=True
                )
            )
        content: dict[str, Any] = {}
        for column in CSV_COLUMNS:
            if column == "national_code" or column not in record:
                continue
            raw = (record.get(column) or "").strip()
            if column == "fee_total":
                if raw:
                    digits = raw.replace(".", "").replace(" ", "").removesuffix("đ")
                    if digits.isdigit():
                        entry.fee_total = int(digits)
                    else:
                        entry.problems.append(
                            ImportProblem(
                                location,
                                column,
                                _("Must be a whole number of đồng, 0 or more."),
                                in_csv=True,
                            )
                        )
                continue
            if column in ("levels", "agencies"):
                content[column] = _split_list(raw)
            elif column in ("online_level", "time_limit"):
                if raw:
                    content[column] = raw.replace(",", ".")
            elif raw or column == "name":
                content[column] = raw
        if not entry.national_code:
            entry.problems.append(
                ImportProblem(location, "national_code", _("This field is required."), in_csv=True)
            )
        entry.content = content
        entries.append(entry)
    return entries


# --- checking and applying ----------------------------------------------------------


def _csv_column(problem: Problem) -> str:
    key = problem.field
    if key == "fees":
        return "fee_total"
    return key or "-"


def _located(entry: Entry, problems: Iterable[Problem]) -> list[ImportProblem]:
    found = []
    for problem in problems:
        if entry.is_csv:
            message = (
                problem.message
                if problem.path == problem.field
                else f"{problem.path}: {problem.message}"
            )
            found.append(ImportProblem(entry.location, _csv_column(problem), message, in_csv=True))
        else:
            path = problem.path if problem.path != NON_FIELD_ERRORS else ""
            found.append(
                ImportProblem(entry.location, f"{entry.prefix}{path}".rstrip("."), problem.message)
            )
    return found


def _from_validation_error(entry: Entry, error: ValidationError) -> list[ImportProblem]:
    problems: list[Problem] = []
    if hasattr(error, "error_dict"):
        for key, errors in error.message_dict.items():
            problems += [Problem(key if key != NON_FIELD_ERRORS else "", m) for m in errors]
    else:
        problems += [Problem("", message) for message in error.messages]
    return _located(entry, problems)


def _csv_fees(entry: Entry, current: ProcedureVersion | None) -> None:
    """Turn the CSV fee total into content: keep the current fees when they agree."""
    if entry.fee_total is None:
        return
    if current is not None and fee_for(current) == entry.fee_total:
        return
    entry.content["fees"] = (
        [{"name": _CSV_FEE_NAME, "amount": entry.fee_total}] if entry.fee_total else []
    )


def _apply_entry(
    actor: Actor, entry: Entry, *, publish: bool, report: ImportReport
) -> list[ImportProblem]:
    procedure = Procedure.objects.filter(national_code=entry.national_code).first()
    draft = (
        ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.DRAFT).first()
        if procedure
        else None
    )
    in_force = published_version(procedure) if procedure else None
    current = draft or in_force
    if entry.is_csv:
        _csv_fees(entry, current)
    partial = current is not None and entry.is_csv
    levels = list(current.levels) if current is not None else []
    cleaned, problems = services.content_problems(
        entry.content, partial=partial, current_levels=levels
    )
    if problems:
        return _located(entry, problems)
    wanted = services.cleaned_snapshot(cleaned)
    try:
        if procedure is None:
            version = services.create_draft(actor, entry.national_code, **entry.content)
            action = "create"
        elif draft is not None:
            before = services.version_snapshot(draft)
            if all(before.get(key) == value for key, value in wanted.items()):
                version, action = draft, "unchanged"
            else:
                version = services.update_draft(actor, draft, **entry.content)
                action = "update"
        else:
            source = in_force or ProcedureVersion.objects.filter(procedure=procedure).first()
            before = services.version_snapshot(source) if source else {}
            if source is not None and all(before.get(k) == v for k, v in wanted.items()):
                version, action = source, "unchanged"
            else:
                if source is not None:
                    version = services.new_version_from(actor, source)
                    version = services.update_draft(actor, version, **entry.content)
                else:
                    version = services.create_draft(actor, entry.national_code, **entry.content)
                action = "new_version"
        published = False
        if publish and version.status == VersionStatus.DRAFT:
            version = services.publish_version(actor, version)
            published = True
    except ValidationError as exc:
        return _from_validation_error(entry, exc)
    report.changes.append(
        ImportChange(action, entry.location, entry.national_code, version.number, published)
    )
    return []


def _apply_fields(
    actor: Actor, fields: Sequence[Mapping[str, str]], report: ImportReport
) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    existing = {f.code: f for f in ProcedureField.objects.all()}
    for index, item in enumerate(fields):
        where, code, name = f"fields[{index}]", item["code"], item["name"]
        name_en = item.get("name_en", "")
        try:
            found = existing.get(code)
            if found is None:
                existing[code] = services.create_field(actor, code, name, name_en)
                report.changes.append(ImportChange("field_create", where, code))
            elif found.name != name or found.name_en != name_en:
                services.update_field(actor, found, name=name, name_en=name_en)
                report.changes.append(ImportChange("field_update", where, code))
        except ValidationError as exc:
            problems += [
                ImportProblem(f"fields[{index}]", key if key != NON_FIELD_ERRORS else "", m)
                for key, messages in exc.message_dict.items()
                for m in messages
            ]
    return problems


def import_entries(
    actor: Actor,
    entries: Sequence[Entry],
    *,
    fields: Sequence[Mapping[str, str]] = (),
    publish: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Bring the catalogue in line with ``entries`` (see the module docstring).
    Raises :class:`ProcedureImportError` listing every problem; then nothing is
    written."""
    report = ImportReport(dry_run=dry_run)
    problems: list[ImportProblem] = [p for entry in entries for p in entry.problems]
    seen: dict[str, str] = {}
    skipped: set[int] = {id(entry) for entry in entries if entry.problems}
    for entry in entries:
        if not entry.national_code:
            continue
        if entry.national_code in seen:
            skipped.add(id(entry))
            problems.append(
                ImportProblem(
                    entry.location,
                    "national_code",
                    _("%(code)s appears twice (also at %(other)s).")
                    % {"code": entry.national_code, "other": seen[entry.national_code]},
                    in_csv=entry.is_csv,
                )
            )
        seen.setdefault(entry.national_code, entry.location)
    try:
        with transaction.atomic():
            problems += _apply_fields(actor, fields, report)
            for entry in entries:
                if id(entry) in skipped:
                    # Not applied, but checked, so that one run reports every problem.
                    problems += _check_only(entry)
                else:
                    problems += _apply_entry(actor, entry, publish=publish, report=report)
            if problems:
                raise ProcedureImportError(problems)
            if dry_run:
                raise _DryRunRollback(report)
    except _DryRunRollback as rollback:
        return rollback.report
    return report


def _check_only(entry: Entry) -> list[ImportProblem]:
    exists = Procedure.objects.filter(national_code=entry.national_code).exists()
    _cleaned, problems = services.content_problems(entry.content, partial=entry.is_csv and exists)
    return _located(entry, problems)


# --- export -------------------------------------------------------------------------


def _version_json(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "replaced_at": version.replaced_at.isoformat() if version.replaced_at else None,
        "name": version.name,
        "name_en": version.name_en,
        "field": version.field.code,
        "levels": list(version.levels),
        "online_level": version.online_level,
        "time_limit": _number_text(version.time_limit),
        "time_limit_unit": version.time_limit_unit,
        "fees": version.fees,
        "result_type": version.result_type,
        "legal_basis": version.legal_basis,
        "source": version.source,
        "publication": version.publication,
        "agencies": [unit.code for unit in version.agencies.all()],
        "papers": [services.paper_dict(paper) for paper in version.papers.all()],
    }


def _number_text(value: Decimal) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_json() -> dict[str, Any]:
    """The whole catalogue: fields, and every procedure with all its versions."""
    versions = (
        ProcedureVersion.objects.select_related("procedure", "field")
        .prefetch_related(
            "papers",
            _agencies_prefetch(),
        )
        .order_by("procedure__national_code", "number")
    )
    procedures: dict[str, list[dict[str, Any]]] = {}
    for version in versions:
        procedures.setdefault(version.procedure.national_code, []).append(_version_json(version))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.localtime().isoformat(),
        "fields": [
            {"code": item.code, "name": item.name, "name_en": item.name_en}
            for item in ProcedureField.objects.order_by("code")
        ],
        "procedures": [
            {"national_code": code, "versions": items} for code, items in procedures.items()
        ],
    }


def _agencies_prefetch() -> Any:
    from django.db.models import Prefetch

    return Prefetch("agencies", queryset=Unit.objects.order_by("path"))


def csv_rows() -> list[dict[str, Any]]:
    """One row per procedure (its current version), columns as :data:`CSV_COLUMNS`."""
    versions = (
        current_versions()
        .select_related("procedure", "field")
        .prefetch_related(_agencies_prefetch())
        .order_by("procedure__national_code")
    )
    return [
        {
            "national_code": version.procedure.national_code,
            "name": version.name,
            "name_en": version.name_en,
            "field": version.field.code,
            "levels": ";".join(version.levels),
            "online_level": version.online_level,
            "time_limit": _number_text(version.time_limit),
            "time_limit_unit": version.time_limit_unit,
            "fee_total": fee_for(version),
            "agencies": ";".join(unit.code for unit in version.agencies.all()),
        }
        for version in versions
    ]


def write_csv(handle: Any, rows: Iterable[Mapping[str, Any]]) -> None:
    writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
