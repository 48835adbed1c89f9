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
    assert len(items) >= 30
    codes = [item["national_code"] for item in items]
    assert len(set(codes)) == len(codes)
    levels = Counter(level for item in items for level in item["levels"])
    assert levels["commune"] >= 8
    assert levels["district"] >= 8
    assert levels["provincial_agency"] >= 8
    # the codes given in the brief are present; uncertain entries explain themselves
    assert {"1.001193", "1.000894", "1.000656", "2.000815", "2.000884", "2.000720"} <= set(codes)
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
    assert ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 35

    communes = Unit.objects.filter(level=UnitLevel.COMMUNE).count()
    districts = Unit.objects.filter(level=UnitLevel.DISTRICT).count()
    birth = published_version("1.001193")
    assert birth is not None
    assert birth.agencies.count() == communes == 143
    copy = published_version("2.000815")
    assert copy is not None
    assert copy.agencies.count() == communes + districts
    assert fee_for(copy, {"pages": 3}) == 5000
    record = published_version("2.000488")
    assert record is not None
    assert [unit.name for unit in record.agencies.all()] == ["Sở Tư pháp"]
    assert fee_for(record, {"applicant": "uu_dai", "extra_copies": 2}) == 110000
    company = published_version("1.010027")
    assert company is not None
    assert [unit.name for unit in company.agencies.all()] == ["Sở Kế hoạch và Đầu tư"]
    building = published_version("1.009972")
    assert building is not None
    assert [unit.name for unit in building.agencies.all()] == ["Sở Xây dựng"]

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
    assert again.catalogue.count("unchanged") == 35
    assert again.templates_unchanged == 6
    assert AuditEntry.objects.count() == entries  # nothing written the second time
    assert ProcessTemplate.objects.count() == 6


def test_command_needs_the_demo_tree() -> None:
    with translation.override("en"), pytest.raises(CommandError, match="load_demo_units"):
        call_command("load_demo_procedures", stdout=StringIO())
