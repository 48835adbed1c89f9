"""Validation of a version's content, permission checks and audit snapshots:
what every write of the catalogue shares (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, require_perm
from egov.core.models import Unit
from egov.core.selectors.units import get_unit_by_code
from egov.procedures import fees as fee_rules
from egov.procedures.models import (
    OnlineLevel,
    PaperForm,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    RequiredPaper,
    TimeLimitUnit,
    VersionStatus,
)
from egov.procedures.selectors import (
    AGENCY_LEVELS,
    HOURS,
)

Actor = AbstractBaseUser | AnonymousUser | None

#: Scalar content of a version, in the order files and forms show it.
CONTENT_FIELDS: tuple[str, ...] = (
    "name",
    "name_en",
    "field",
    "levels",
    "online_level",
    "time_limit",
    "time_limit_unit",
    "fees",
    "result_type",
    "legal_basis",
    "source",
    "publication",
)
PAPER_KEYS: tuple[str, ...] = (
    "name",
    "name_en",
    "copies",
    "form",
    "template_name",
    "is_optional",
    "is_declaration",
)
_MAX_TIME_LIMIT = Decimal("9999.99")
_MAX_STEP_HOURS = Decimal("99999.99")


@dataclass(frozen=True)
class Problem:
    """One mistake in submitted content, at ``path`` (``name``, ``fees[1].amount``,
    ``papers[0].form``, ``agencies[3]``)."""

    path: str
    message: str

    @property
    def field(self) -> str:
        """The top-level content key the problem belongs to."""
        return self.path.split("[", 1)[0].split(".", 1)[0]


# --- permission ---------------------------------------------------------------------


def _require_operator(actor: Actor) -> None:
    if actor is None:
        return
    require_perm(actor, Perm.OPERATE_PLATFORM, None)


def _require_agency_admin(actor: Actor, agency: Unit) -> None:
    if actor is None:
        return
    require_perm(actor, Perm.MANAGE_UNITS, agency)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) is not None else None


# --- validation of content ----------------------------------------------------------


def _text(value: Any, path: str, problems: list[Problem], *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(Problem(path, _("Must be text.")))
        return ""
    text = value.strip()
    if required and not text:
        problems.append(Problem(path, _("This field is required.")))
    elif len(text) > limit:
        problems.append(
            Problem(
                path,
                _("At most %(limit)s characters (it has %(n)s).")
                % {
                    "limit": limit,
                    "n": len(text),
                },
            )
        )
    return text


def _clean_field(value: Any, problems: list[Problem]) -> ProcedureField | None:
    if isinstance(value, ProcedureField):
        return value
    code = str(value or "").strip()
    if not code:
        problems.append(Problem("field", _("This field is required.")))
        return None
    found = ProcedureField.objects.filter(code=code).first()
    if found is None:
        problems.append(Problem("field", _("No field with the code %(code)s.") % {"code": code}))
    return found


def _clean_levels(value: Any, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        problems.append(
            Problem("levels", _("Give at least one level of agency (e.g. commune, district)."))
        )
        return []
    levels: list[str] = []
    for index, level in enumerate(value):
        if level not in AGENCY_LEVELS:
            problems.append(
                Problem(
                    f"levels[{index}]",
                    _("“%(value)s” is not a level of agency; use one of: %(levels)s.")
                    % {"value": level, "levels": ", ".join(AGENCY_LEVELS)},
                )
            )
        elif level in levels:
            problems.append(Problem(f"levels[{index}]", _("This level is listed twice.")))
        else:
            levels.append(level)
    # One canonical order (province first), so that files differing only in order match.
    return sorted(levels, key=AGENCY_LEVELS.index)


def _clean_online_level(value: Any, problems: list[Problem]) -> int:
    if isinstance(value, bool):
        value = None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in OnlineLevel.values:
        problems.append(Problem("online_level", _("Must be a whole number from 1 to 4.")))
    return level


def _clean_time_limit(value: Any, problems: list[Problem]) -> Decimal:
    if isinstance(value, bool | float):
        # A float has already lost the decimals the author meant; ask for text.
        value = str(value) if isinstance(value, float) else None
    try:
        limit = Decimal(str(value).strip()) if value is not None else Decimal("NaN")
    except InvalidOperation:
        limit = Decimal("NaN")
    if not limit.is_finite() or limit <= 0:
        problems.append(Problem("time_limit", _("The time limit must be a number larger than 0.")))
        return Decimal(0)
    if limit > _MAX_TIME_LIMIT or limit != limit.quantize(HOURS):
        problems.append(
            Problem(
                "time_limit",
                _("The time limit must be at most 9999.99, with at most two decimals."),
            )
        )
    return limit


def _clean_papers(value: Any, problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        problems.append(Problem("papers", _("Must be a list of papers.")))
        return []
    papers: list[dict[str, Any]] = []
    for index, raw in enumerate(value):
        path = f"papers[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(path, _("Each paper must be an object.")))
            continue
        for key in sorted(set(raw) - set(PAPER_KEYS), key=str):
            problems.append(Problem(f"{path}.{key}", _("Unknown key.")))
        name = _text(raw.get("name"), f"{path}.name", problems, limit=500, required=True)
        name_en = _text(
            raw.get("name_en", ""), f"{path}.name_en", problems, limit=500, required=False
        )
        copies = raw.get("copies", 1)
        if isinstance(copies, str) and copies.strip().isdigit():
            copies = int(copies)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 100:
            problems.append(Problem(f"{path}.copies", _("Must be a whole number from 1 to 100.")))
        form = raw.get("form", "")
        if form not in PaperForm.values:
            problems.append(
                Problem(
                    f"{path}.form",
                    _("Must be one of: %(forms)s.") % {"forms": ", ".join(PaperForm.values)},
                )
            )
        template_name = _text(
            raw.get("template_name", ""),
            f"{path}.template_name",
            problems,
            limit=255,
            required=False,
        )
        optional = raw.get("is_optional", False)
        if not isinstance(optional, bool):
            problems.append(Problem(f"{path}.is_optional", _("Must be true or false.")))
        declaration = raw.get("is_declaration", False)
        if not isinstance(declaration, bool):
            problems.append(Problem(f"{path}.is_declaration", _("Must be true or false.")))
        papers.append(
            {
                "name": name,
                "name_en": name_en,
                "copies": copies,
                "form": form,
                "template_name": template_name,
                "is_optional": bool(optional),
                "is_declaration": bool(declaration),
            }
        )
    return papers


def _clean_agencies(
    value: Any, levels: Sequence[str] | None, problems: list[Problem]
) -> list[Unit]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        problems.append(Problem("agencies", _("Must be a list of agencies.")))
        return []
    items = list(value)
    codes = [item.strip().upper() for item in items if isinstance(item, str)]
    by_code = {
        unit.code: unit for unit in Unit.objects.filter(code__in=codes, dissolved_at__isnull=True)
    }
    agencies: list[Unit] = []
    seen: set[int] = set()
    for index, item in enumerate(items):
        path = f"agencies[{index}]"
        unit: Unit | None
        if isinstance(item, Unit):
            unit = item
        elif isinstance(item, str):
            code = item.strip().upper()
            unit = by_code.get(code) or get_unit_by_code(code, follow_successor=True)
            if unit is None:
                problems.append(
                    Problem(path, _("No unit with the identifier code %(code)s.") % {"code": code})
                )
                continue
        else:
            problems.append(Problem(path, _("Give the agency's identifier code.")))
            continue
        if unit.dissolved_at is not None:
            problems.append(Problem(path, _("%(name)s has been dissolved.") % {"name": unit.name}))
            continue
        if levels is not None and unit.level not in levels:
            problems.append(
                Problem(
                    path,
                    _(
                        "%(name)s (%(code)s) is at the level “%(level)s”, not one of the "
                        "procedure's levels (%(levels)s)."
                    )
                    % {
                        "name": unit.name,
                        "code": unit.code,
                        "level": unit.level,
                        "levels": ", ".join(levels),
                    },
                )
            )
            continue
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        agencies.append(unit)
    return agencies


_SOURCE_TEXT_LIMIT = 2000
_SOURCE_KEYS_LIMIT = 30


def _clean_source(value: Any, problems: list[Problem]) -> dict[str, Any]:
    """Where the content was checked: an object of short texts, numbers, lists and
    objects (e.g. ``url``, ``decision``, ``crawl``, ``checked_on``). ``url``, when
    given, is an https address."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem("source", _("Must be an object.")))
        return {}
    if len(value) > _SOURCE_KEYS_LIMIT:
        problems.append(Problem("source", _("Too many keys.")))
        return {}
    for key, item in value.items():
        if not isinstance(key, str) or len(str(item)) > _SOURCE_TEXT_LIMIT:
            problems.append(Problem(f"source.{key}", _("Too long.")))
            return {}
    url = value.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
        problems.append(Problem("source.url", _("Must be an https:// address.")))
        return {}
    return dict(value)


#: The dates of a version's publication (index 766, 1.1 and 1.2), ISO ``YYYY-MM-DD``.
PUBLICATION_DATES = ("decided_on", "effective_on", "posted_on")
_PUBLICATION_KEYS = frozenset({"decision", "note", "demo", *PUBLICATION_DATES})


def _clean_publication(value: Any, problems: list[Problem]) -> dict[str, Any]:
    """How the version was made public: ``decision`` (number/symbol), the dates of
    :data:`PUBLICATION_DATES` (``YYYY-MM-DD``), ``demo`` (the dates are
    illustrative) and ``note``. Empty keys are dropped."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem("publication", _("Must be an object.")))
        return {}
    cleaned: dict[str, Any] = {}
    for key in sorted(set(value) - _PUBLICATION_KEYS, key=str):
        problems.append(Problem(f"publication.{key}", _("Unknown key.")))
    for key, limit in (("decision", 100), ("note", 1000)):
        text = _text(value.get(key), f"publication.{key}", problems, limit=limit, required=False)
        if text:
            cleaned[key] = text
    for key in PUBLICATION_DATES:
        raw = value.get(key)
        if raw in (None, ""):
            continue
        try:
            cleaned[key] = date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            problems.append(Problem(f"publication.{key}", _("Write the date as YYYY-MM-DD.")))
    if "demo" in value:
        if not isinstance(value["demo"], bool):
            problems.append(Problem("publication.demo", _("Must be true or false.")))
        elif value["demo"]:
            cleaned["demo"] = True
    decided, posted = cleaned.get("decided_on"), cleaned.get("posted_on")
    if decided and posted and posted < decided:
        problems.append(
            Problem(
                "publication.posted_on",
                _("The procedure cannot be posted before the decision publishing it."),
            )
        )
    return cleaned


def content_problems(
    values: Mapping[str, Any], *, partial: bool = False, current_levels: Sequence[str] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """Check content keys of a version; returns the cleaned values (fields resolved,
    agencies as units) and every problem found. With ``partial`` only the keys
    given are checked (``current_levels`` then checks agencies when levels are
    not given)."""
    problems: list[Problem] = []
    unknown = set(values) - set(CONTENT_FIELDS) - {"papers", "agencies"}
    problems += [Problem(str(key), _("Unknown key.")) for key in sorted(unknown, key=str)]
    cleaned: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return key in values or not partial

    if wanted("name"):
        cleaned["name"] = _text(values.get("name"), "name", problems, limit=500, required=True)
    if wanted("name_en"):
        cleaned["name_en"] = _text(
            values.get("name_en", ""), "name_en", problems, limit=500, required=False
        )
    if wanted("field"):
        cleaned["field"] = _clean_field(values.get("field"), problems)
    if wanted("levels"):
        cleaned["levels"] = _clean_levels(values.get("levels"), problems)
    if wanted("online_level"):
        cleaned["online_level"] = _clean_online_level(
            values.get("online_level", OnlineLevel.FORMS), problems
        )
    if wanted("time_limit"):
        cleaned["time_limit"] = _clean_time_limit(values.get("time_limit"), problems)
    if wanted("time_limit_unit"):
        unit = values.get("time_limit_unit", TimeLimitUnit.WORKING_DAYS)
        if unit not in TimeLimitUnit.values:
            problems.append(
                Problem(
                    "time_limit_unit",
                    _("Must be one of: %(units)s.") % {"units": ", ".join(TimeLimitUnit.values)},
                )
            )
        cleaned["time_limit_unit"] = unit
    if wanted("fees"):
        raw_fees = values.get("fees", [])
        fee_problems = fee_rules.check_fees(raw_fees)
        problems += [Problem(f"fees{p.path}", p.message) for p in fee_problems]
        cleaned["fees"] = raw_fees if not fee_problems else []
    if wanted("result_type"):
        cleaned["result_type"] = _text(
            values.get("result_type", ""), "result_type", problems, limit=500, required=False
        )
    if wanted("legal_basis"):
        cleaned["legal_basis"] = _text(
            values.get("legal_basis", ""), "legal_basis", problems, limit=20000, required=False
        )
    if wanted("source"):
        cleaned["source"] = _clean_source(values.get("source", {}), problems)
    if wanted("publication"):
        cleaned["publication"] = _clean_publication(values.get("publication", {}), problems)
    if "papers" in values:
        cleaned["papers"] = _clean_papers(values["papers"], problems)
    if "agencies" in values:
        levels = cleaned.get("levels") if "levels" in cleaned else list(current_levels)
        level_problem = any(p.field == "levels" for p in problems)
        cleaned["agencies"] = _clean_agencies(
            values["agencies"], None if level_problem else levels, problems
        )
    return cleaned, problems


def _raise(problems: Sequence[Problem]) -> None:
    if not problems:
        return
    errors: dict[str, list[str]] = {}
    for problem in problems:
        message = (
            problem.message
            if problem.path == problem.field
            else f"{problem.path}: {problem.message}"
        )
        errors.setdefault(problem.field or NON_FIELD_ERRORS, []).append(message)
    raise ValidationError(errors)


# --- snapshots for the audit log ----------------------------------------------------


def version_snapshot(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "name_en": version.name_en,
        "field": version.field.code if version.field_id else None,
        "levels": list(version.levels),
        "online_level": version.online_level,
        "time_limit": f"{Decimal(version.time_limit).quantize(HOURS)}",
        "time_limit_unit": version.time_limit_unit,
        "fees": version.fees,
        "result_type": version.result_type,
        "legal_basis": version.legal_basis,
        "source": version.source,
        "publication": version.publication,
        "agencies": sorted(version.agencies.values_list("code", flat=True)),
        "papers": [paper_dict(p) for p in version.papers.order_by("position")],
    }


def cleaned_snapshot(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned content (from :func:`content_problems`) in the form of
    :func:`version_snapshot`, for the keys it has: to tell whether content differs."""
    shown: dict[str, Any] = {}
    for key, value in cleaned.items():
        if key == "field":
            shown[key] = value.code if value is not None else None
        elif key == "time_limit":
            shown[key] = f"{Decimal(value).quantize(HOURS)}"
        elif key == "agencies":
            shown[key] = sorted(unit.code for unit in value)
        elif key == "levels":
            shown[key] = list(value)
        else:
            shown[key] = value
    return shown


def paper_dict(paper: RequiredPaper) -> dict[str, Any]:
    return {
        "name": paper.name,
        "name_en": paper.name_en,
        "copies": paper.copies,
        "form": paper.form,
        "template_name": paper.template_name,
        "is_optional": paper.is_optional,
        "is_declaration": paper.is_declaration,
    }


def _set_papers(version: ProcedureVersion, papers: Sequence[Mapping[str, Any]]) -> None:
    version.papers.all().delete()
    RequiredPaper.objects.bulk_create(
        [
            RequiredPaper(version=version, position=index, **{k: paper[k] for k in PAPER_KEYS})
            for index, paper in enumerate(papers, start=1)
        ]
    )


def _apply(version: ProcedureVersion, cleaned: Mapping[str, Any]) -> None:
    for key in CONTENT_FIELDS:
        if key in cleaned:
            setattr(version, key, cleaned[key])
    version.save()
    if "agencies" in cleaned:
        version.agencies.set(cleaned["agencies"])
    if "papers" in cleaned:
        _set_papers(version, cleaned["papers"])


def _lock_procedure(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


def _draft_of(procedure: Procedure) -> ProcedureVersion | None:
    return ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.DRAFT).first()


def _refuse_second_draft(procedure: Procedure) -> None:
    draft = _draft_of(procedure)
    if draft is not None:
        raise ValidationError(
            _(
                "Procedure %(code)s already has a draft (version %(number)s): edit or "
                "publish that one first."
            )
            % {"code": procedure.national_code, "number": draft.number},
            code="draft_exists",
        )


def _next_number(procedure: Procedure) -> int:
    top = ProcedureVersion.objects.filter(procedure=procedure).aggregate(top=Max("number"))
    return int(top["top"] or 0) + 1
