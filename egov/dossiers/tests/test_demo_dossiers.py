"""The demo dossiers: made through the services, in every status, some overdue,
with apology letters and liên thông; loading twice does not duplicate them."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from egov.core.models import AuditEntry
from egov.dossiers.demo import demo_dossiers, load_demo_dossiers
from egov.dossiers.models import ApologyLetter, DossierEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_base() -> None:
    call_command("load_demo_units", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    call_command("load_demo_procedures", verbosity=0)


def test_demo_dossiers_cover_every_status_and_are_real(demo_base: None) -> None:
    started = time.perf_counter()
    report = load_demo_dossiers()
    print(f"demo dossiers in {time.perf_counter() - started:.1f} s")  # figure, not asserted
    assert report.created >= 190, report.failures[:5]
    statuses = set(demo_dossiers().values_list("status", flat=True))
    assert statuses == {status.value for status in Status}
    assert report.overdue > 0
    assert ApologyLetter.objects.exists()
    assert DossierEvent.objects.filter(action="consult").exists()
    # Real codes, due dates, events and audit entries.
    dossier = demo_dossiers().filter(status=Status.RETURNED).first()
    assert dossier is not None and dossier.due_at is not None
    assert dossier.events.filter(action="return_result").exists()
    assert AuditEntry.objects.filter(object_id=str(dossier.pk), action="dossier.return_result")
    # Histories are in the past and in order.
    for event in dossier.events.all():
        assert event.at >= dossier.submitted_at

    again = load_demo_dossiers()
    assert again.skipped and again.created == 0
    assert demo_dossiers().count() == report.created


def test_reset_reloads(demo_base: None) -> None:
    load_demo_dossiers(count=20)
    report = load_demo_dossiers(count=15, reset=True)
    assert report.deleted == 20
    assert demo_dossiers().count() == report.created
