"""The demo work files, against the real demo organisation tree."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from egov.accounts import demo as accounts_demo
from egov.outgoing.demo import load_demo_outgoing
from egov.workfiles import services
from egov.workfiles.demo import load_demo_workfiles
from egov.workfiles.models import FileList, FileStatus, HandoverNotice, WorkFile

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_through_the_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        services, "now", lambda: datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    )
    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    load_demo_outgoing()
    summary = load_demo_workfiles()
    assert "file lists 2025 and 2026 (6 entries copied)" in summary
    assert load_demo_workfiles() == "already loaded"
    assert sorted(FileList.objects.values_list("year", flat=True)) == [2025, 2026]
    assert all(fl.approved_at for fl in FileList.objects.all())
    closed = WorkFile.objects.get(status=FileStatus.CLOSED)
    assert closed.handover_due == date(2026, 12, 31) and closed.is_permanent
    assert WorkFile.objects.filter(status=FileStatus.OPEN).count() == 3
    assert WorkFile.objects.filter(entry__isnull=True).count() == 1
    # Due within 30 days: the specialist and the clerk were warned once.
    assert set(HandoverNotice.objects.values_list("recipient__username", flat=True)) == {
        "chuyenvien.stp",
        "vanthu.stp",
    }
    system = WorkFile.objects.get(year=2026, symbol="02.VP")
    assert system.links.filter(kind="outgoing").count() >= 1
