"""The demo catalogue on the demo tree: real procedures at every level, templates,
idempotent re-runs."""

from __future__ import annotations

import unicodedata
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from egov.accounts.default_roles import ensure_default_roles
from egov.core.demo_units import load_demo_units
from egov.core.models import AuditEntry, Unit, UnitLevel
from egov.procedures.demo import CATALOGUE_FILE, demo_procedures, load_demo_procedures
from egov.procedures.models import ProcedureVersion, ProcessTemplate, VersionStatus
from egov.procedures.selectors import (
    active_process,
    fee_for,
    published_version,
    time_limit_hours,
)

pytestmark = pytest.mark.django_db


def test_demo_file_is_well_formed_and_marks_uncertain_entries() -> None:
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    items = demo_procedures()
    assert len(items) >= 20
    codes = [item["national_code"] for item in items]
    assert len(set(codes)) == len(codes)
    levels = Counter(level for item in items for level in item["levels"])
    # after the 2025 reform: province and commune, no district
    assert levels["commune"] >= 12
    assert levels["provincial_agency"] >= 5
    assert levels["district"] == 0
    assert {"1.001193", "1.000894", "1.000656", "2.000815", "2.000884", "1.001612"} <= set(codes)
    for item in items:
        if item.get("verify"):
            assert item.get("notes"), item["national_code"]


def test_demo_loads_on_the_demo_tree_and_is_idempotent() -> None:
    ensure_default_roles()
    load_demo_units()
    report = load_demo_procedures()
    assert report.catalogue.count("create") == len(demo_procedures())
    assert report.catalogue.published == len(demo_procedures())
    assert report.templates_saved == 6
    assert ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 22

    communes = Unit.objects.filter(level=UnitLevel.COMMUNE).count()
    districts = Unit.objects.filter(level=UnitLevel.DISTRICT).count()
    birth = published_version("1.001193")
    assert birth is not None
    assert birth.agencies.count() == communes == 143
    copy = published_version("2.000815")
    assert copy is not None
    assert copy.agencies.count() == communes  # no district since 1 July 2025
    assert districts > 0  # the demo tree still has them; the catalogue does not use them
    assert fee_for(copy, {"pages": 3}) == 5000
    confirm = published_version("2.002516")
    assert confirm is not None
    names = [unit.name for unit in confirm.agencies.all()]
    assert "Sở Tư pháp" in names and len(names) == communes + 1
    assert confirm.source["page_code"] == "2.002516"
    company = published_version("2.001610")
    assert company is not None
    assert [unit.name for unit in company.agencies.all()] == ["Sở Tài chính"]
    land = published_version("1.013831")
    assert land is not None
    assert [unit.name for unit in land.agencies.all()] == ["Sở Tài nguyên và Môi trường"]
    assert land.time_limit == 18

    # templates: every one adds up to its procedure's limit; one spans two units
    for template in report.templates:
        version = published_version(template.procedure)
        assert version is not None
        total = sum((Decimal(step.hours) for step in template.steps.all()), Decimal(0))
        assert total == time_limit_hours(version)
    ward = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("path").first()
    assert ward is not None
    parentage = published_version("1.001022")
    assert parentage is not None
    parentage_process = active_process(parentage.procedure, ward)
    assert parentage_process is not None
    steps = parentage_process.steps.all()
    outside = [s for s in steps if not s.unit.path.startswith(ward.path)]
    assert [s.unit.name for s in outside] == ["Phòng Tư pháp thành phố Rạch Giá"]
    assert "consult" in outside[0].actions

    entries = AuditEntry.objects.count()
    again = load_demo_procedures()
    assert again.catalogue.count("unchanged") == 22
    assert again.templates_unchanged == 6
    assert AuditEntry.objects.count() == entries  # nothing written the second time
    assert ProcessTemplate.objects.count() == 6


def test_command_needs_the_demo_tree() -> None:
    with translation.override("en"), pytest.raises(CommandError, match="load_demo_units"):
        call_command("load_demo_procedures", stdout=StringIO())
