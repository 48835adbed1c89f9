"""The 766 index page in a real browser: a district leader reads the score, opens
what lowered on-time processing, follows a late dossier; an axe-core scan."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Status
from egov.dossiers.tests.factories import at, build_world, dossier_in_status
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leader_session(live_server: Any) -> dict[str, Any]:
    world = build_world()
    dossier_in_status(world, Status.RESULT_READY)  # ready 05/03, due 09/03: on time
    late = dossier_in_status(world, Status.PROCESSING, supplement_requests=2)
    dossier_in_status(
        world, Status.RESULT_READY, resolved_at=at("2026-03-10", "10:00")
    )  # after its appointment: late
    client = Client()
    sign_in_verified(client, world.staff.leader)
    return {
        "cookie": client.cookies["sessionid"].value,
        "late": late.code,
        "unit": world.org.district.code,
    }


def test_leader_reads_the_index_and_follows_a_late_dossier(
    page: Any, leader_session: dict[str, Any]
) -> None:
    page.context.add_cookies(
        [{"name": "sessionid", "value": leader_session["cookie"], "url": page.base_url}]
    )
    query = f"?unit={leader_session['unit']}&start={date(2026, 3, 1)}&end={date(2026, 3, 31)}"
    page.goto(page.base_url + "/can-bo/chi-so-766/" + query)
    assert page.locator("h1").inner_text() == "Chỉ số chất lượng phục vụ (766)"
    row = page.locator("tr", has_text="Hồ sơ giải quyết đúng hạn")
    assert "33,33" in row.inner_text()  # 1 of 3 on time (decimal comma)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    row.locator("summary").click()
    row.locator(f"a:has-text('{leader_session['late']}')").click()
    page.wait_for_load_state()
    assert leader_session["late"] in page.locator("h1").inner_text()
