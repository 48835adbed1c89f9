"""Reads of the public-service portal: the catalogue as citizens see it.

Only versions in force (published) are shown. Lists come from the in-process
search index (:mod:`egov.portal.search`); the rows of one page are then read
from the database by id, so a page costs the same whatever the catalogue size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from egov.core.models import Unit, UnitLevel
from egov.portal.search import LEVEL_GROUPS, Hit, SearchIndex, get_index
from egov.procedures import fees as fee_rules
from egov.procedures.models import (
    OnlineLevel,
    ProcedureField,
    ProcedureVersion,
    RequiredPaper,
    TimeLimitUnit,
    VersionStatus,
)
from egov.procedures.selectors import (
    describe_time_limit,
    fee_for,
    level_labels,
    online_vocabulary,
    time_limit_hours,
)

POPULAR_CACHE_KEY = "egov:portal:popular-fields"
POPULAR_CACHE_SECONDS = 3600


def online_service_label(level: int) -> str:
    """ "Dịch vụ công trực tuyến toàn trình / một phần" for levels 4 / 3; below,
    what the citizen can do instead."""
    word = online_vocabulary(level)
    if word is not None:
        return gettext("Online public service (%(word)s)") % {"word": word}
    if level == OnlineLevel.FORMS:
        return gettext("Forms to download; submit at the one-stop desk")
    return gettext("Information only; submit at the one-stop desk")


def level_group_labels() -> dict[str, str]:
    return {
        "province": gettext("Province level"),
        "district": gettext("District level"),
        "commune": gettext("Commune level"),
    }


def level_groups_of(levels: Sequence[str]) -> list[str]:
    """Group names (province/district/commune) covering agency ``levels``."""
    return [group for group, members in LEVEL_GROUPS.items() if members & set(levels)]


def submit_path(national_code: str) -> str:
    """Where to submit online; another app serves it (``submissions:start``)."""
    return f"/nop-ho-so/{quote(national_code, safe='.')}/"


# --- lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    version: ProcedureVersion
    national_code: str
    name: str
    field_name: str
    field_code: str
    levels: list[str]
    online: str
    online_level: int
    time_limit: str


def rows_for(hits: Sequence[Hit]) -> list[Row]:
    """The page's hits as display rows, in the hits' order (one query)."""
    ids = [hit.entry.version_id for hit in hits]
    versions = ProcedureVersion.objects.select_related("procedure", "field").in_bulk(ids)
    rows = []
    for version_id in ids:
        version = versions.get(version_id)
        if version is None:  # replaced between the index and this read
            continue
        rows.append(
            Row(
                version=version,
                national_code=version.procedure.national_code,
                name=version.name,
                field_name=version.field.name,
                field_code=version.field.code,
                levels=level_labels(version.levels),
                online=online_service_label(version.online_level),
                online_level=version.online_level,
                time_limit=describe_time_limit(version),
            )
        )
    return rows


def field_counts(index: SearchIndex | None = None) -> list[tuple[ProcedureField, int]]:
    """Fields that have procedures in force, with how many, by name."""
    counts = (index or get_index()).field_counts()
    fields = ProcedureField.objects.filter(pk__in=counts).order_by("name")
    return [(item, counts[item.pk]) for item in fields]


def popular_fields(limit: int = 8) -> list[tuple[ProcedureField, int]]:
    """Fields with procedures in force, most dossiers received in the last year
    first (then most procedures); the dossier counts are cached for an hour."""
    from egov.dossiers.models import Dossier

    volumes: dict[int, int] | None = cache.get(POPULAR_CACHE_KEY)
    if volumes is None:
        since = timezone.now() - dt.timedelta(days=365)
        volumes = {
            row["procedure_version__field_id"]: row["n"]
            for row in Dossier.objects.filter(received_at__gte=since)
            .values("procedure_version__field_id")
            .annotate(n=Count("id"))
            .order_by()
        }
        cache.set(POPULAR_CACHE_KEY, volumes, POPULAR_CACHE_SECONDS)
    ranked = sorted(
        field_counts(), key=lambda pair: (-volumes.get(pair[0].pk, 0), -pair[1], pair[0].name)
    )
    return ranked[:limit]


@dataclass(frozen=True)
class AgencyGroup:
    label: str
    agencies: list[tuple[Unit, int]]


def agency_counts(index: SearchIndex | None = None) -> dict[int, int]:
    return (index or get_index()).agency_counts()


def agencies_in_service(index: SearchIndex | None = None) -> list[Unit]:
    """Active units that carry out at least one procedure in force, in tree order."""
    return list(
        Unit.objects.filter(pk__in=list(agency_counts(index)), dissolved_at__isnull=True)
        .only("pk", "code", "name", "name_en", "path", "level")
        .order_by("path")
    )


def agency_groups() -> list[AgencyGroup]:
    """Agencies with procedures in force: the province's, then each district with
    its communes."""
    counts = agency_counts()
    units = agencies_in_service()
    province = [
        (unit, counts[unit.pk])
        for unit in units
        if unit.level in (UnitLevel.PROVINCE, UnitLevel.PROVINCIAL_AGENCY)
    ]
    groups = [AgencyGroup(gettext("Province level"), province)] if province else []
    districts = Unit.objects.filter(level=UnitLevel.DISTRICT, dissolved_at__isnull=True).order_by(
        "path"
    )
    for district in districts:
        members = [
            (unit, counts[unit.pk])
            for unit in units
            if unit.path.startswith(district.path)
            and unit.level in (UnitLevel.DISTRICT, UnitLevel.DISTRICT_AGENCY, UnitLevel.COMMUNE)
        ]
        if members:
            groups.append(AgencyGroup(district.name, members))
    return groups


# --- one procedure -----------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """Where to submit: an agency and its one-stop desk (name, address, phone)."""

    agency: Unit
    desk_name: str
    address: str
    phone: str


@dataclass(frozen=True)
class PaperRow:
    paper: RequiredPaper
    form_label: str
    template_url: str


@dataclass(frozen=True)
class FeeRow:
    name: str
    text: str
    note: str


@dataclass(frozen=True)
class ProcedurePage:
    version: ProcedureVersion
    national_code: str
    levels: list[str]
    level_groups: list[str]
    online: str
    online_word: str | None
    time_limit: str
    time_limit_hours: Any
    fee_total: int
    fee_total_text: str
    fees: list[FeeRow]
    papers: list[PaperRow]
    desks: list[Desk]
    submit_url: str


def _desks(agencies: Sequence[Unit]) -> list[Desk]:
    """Each agency with its one-stop desk: the agency's child flagged one-stop,
    else the agency itself if it is one, else the agency (two queries in all)."""
    if not agencies:
        return []
    depths = {unit.depth + 1 for unit in agencies}
    desks_by_parent: dict[str, Unit] = {}
    for desk in Unit.objects.filter(
        is_one_stop=True, dissolved_at__isnull=True, depth__in=depths
    ).order_by("path"):
        desks_by_parent.setdefault(desk.path[: -Unit.steplen], desk)
    result = []
    for agency in agencies:
        desk = desks_by_parent.get(agency.path) or agency
        result.append(
            Desk(
                agency=agency,
                desk_name=desk.name,
                address=desk.address or agency.address,
                phone=desk.phone or agency.phone,
            )
        )
    return result


def procedure_page(national_code: str) -> ProcedurePage | None:
    """Everything the public page and the API show of the procedure in force with
    this national code, or ``None``."""
    version = (
        ProcedureVersion.objects.filter(
            procedure__national_code=national_code.strip(), status=VersionStatus.PUBLISHED
        )
        .select_related("procedure", "field")
        .prefetch_related(
            "papers",
            Prefetch(
                "agencies",
                queryset=Unit.objects.filter(dissolved_at__isnull=True).order_by("path"),
            ),
        )
        .first()
    )
    if version is None:
        return None
    total = fee_for(version)
    code = version.procedure.national_code
    return ProcedurePage(
        version=version,
        national_code=code,
        levels=level_labels(version.levels),
        level_groups=level_groups_of(version.levels),
        online=online_service_label(version.online_level),
        online_word=online_vocabulary(version.online_level),
        time_limit=describe_time_limit(version),
        time_limit_hours=time_limit_hours(version),
        fee_total=total,
        fee_total_text=fee_rules.format_dong(total) if total else gettext("Free of charge"),
        fees=[
            FeeRow(name=item["name"], text=fee_rules.describe(item), note=item.get("note", ""))
            for item in version.fees or []
        ],
        papers=[
            PaperRow(
                paper=paper,
                form_label=str(paper.get_form_display()),
                template_url=paper.template_file.url if paper.template_file else "",
            )
            for paper in version.papers.all()
        ],
        desks=_desks(list(version.agencies.all())),
        submit_url=submit_path(code) if version.online_level >= OnlineLevel.PARTLY_ONLINE else "",
    )


def time_unit_label(unit: str) -> str:
    return str(dict(TimeLimitUnit.choices).get(unit, unit))
