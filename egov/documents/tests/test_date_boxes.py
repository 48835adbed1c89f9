"""The registers' period typed in three boxes (ngày, tháng, năm), as the page's own
form sends it: the empty ``start`` marker plus ``start_0..2`` and ``end_0..2``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from egov.core.formatting import local
from egov.documents.tests.factories import Org, Staff
from egov.documents.tests.test_pages import _registered, client_for

pytestmark = pytest.mark.django_db


def _boxes(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_0": f"{day.day:02d}",
        f"{name}_1": f"{day.month:02d}",
        f"{name}_2": str(day.year),
    }


def test_the_register_reads_the_period_from_the_three_boxes(org: Org, staff: Staff) -> None:
    document = _registered(org, staff)
    assert document.registered_at is not None
    day = local(document.registered_at).date()
    client = client_for(staff.clerk)
    url = reverse("documents:register_book")
    empty = client.get(url).content.decode()
    assert 'type="date"' not in empty
    assert 'name="start_0"' in empty and 'name="end_2"' in empty

    form = {"agency": org.dept.pk, "start": "", "end": ""}
    inside = client.get(url, {**form, **_boxes("start", day), **_boxes("end", day)})
    assert inside.status_code == 200
    assert document.subject in inside.content.decode()
    later = day + dt.timedelta(days=1)
    outside = client.get(url, {**form, **_boxes("start", later), **_boxes("end", later)})
    assert document.subject not in outside.content.decode()
    # The export links carry the boxes, so the PDF is of the same period.
    assert f"start_0={later.day:02d}" in outside.content.decode()
    wrong = client.get(url, {**form, "start_0": "31", "start_1": "02", "start_2": "2026"})
    assert "31/02/2026" in wrong.content.decode()
