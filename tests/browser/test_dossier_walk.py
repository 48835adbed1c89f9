"""The issue's "Done when": a dossier walks from desk receipt through two units
(the one-stop desk of UBND Thành phố Rạch Giá → Phòng Tư pháp → the city's
leader), with a supplement request and its resumption, to result returned; each
person signs in with password + TOTP in their own browser context. The receipt
slip (form 01) and the control sheet (form 06) are checked as PDF text; the
worklist, receipt and dossier pages pass an axe-core scan.

The services' clock (``services.inputs.now``) is frozen and moved by the test: the live
server runs in this process, so the walk has fixed dates and the appointment's
move after the supplement is exact.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.dossiers import services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import FrozenClock, Org, build_org, make_template, make_version
from egov.procedures.models import ProcedureVersion
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.staff import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


@dataclass
class Walk:
    org: Org
    version: ProcedureVersion
    clerk: User
    specialist: User
    leader: User
    clock: FrozenClock


@pytest.fixture
def walk(monkeypatch: pytest.MonkeyPatch) -> Walk:
    ensure_default_roles()  # live-server tests run on a flushed database
    org = build_org()
    version = make_version()
    # Desk 4 h → Phòng Tư pháp 28 h → the city's leader 5.5 h = 37.5 h (5 working days).
    make_template(
        version,
        org.district,
        [
            ("Tiếp nhận, chuyển hồ sơ", org.desk, RoleCode.ONE_STOP_CLERK, 4, ("forward",)),
            (
                "Thẩm định hồ sơ",
                org.justice,
                RoleCode.SPECIALIST,
                28,
                ("forward", "send_back", "request_supplement", "consult"),
            ),
            (
                "Ký duyệt kết quả",
                org.district,
                RoleCode.AGENCY_LEADER,
                Decimal("5.5"),
                ("send_back", "approve"),
            ),
        ],
    )
    clock = FrozenClock(at("2025-03-03", "08:00"))  # a Monday
    monkeypatch.setattr(services.inputs, "now", clock)
    return Walk(
        org=org,
        version=version,
        clerk=make_staff("motcua.rachgia", "Trần Thị Bình", org.desk, RoleCode.ONE_STOP_CLERK),
        specialist=make_staff("tuphap.cv", "Lê Văn Cường", org.justice, RoleCode.SPECIALIST),
        leader=make_staff("ld.rachgia", "Võ Văn Em", org.district, RoleCode.AGENCY_LEADER),
        clock=clock,
    )


@pytest.fixture
def open_as(staff_tabs: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in tab for a person, in a browser context of their own."""
    return functools.partial(staff_tabs, landing="/can-bo/ho-so/")


def assert_accessible(tab: Any) -> None:
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)


def pdf_text(tab: Any, path: str) -> str:
    response = tab.context.request.get(tab.base_url + path)
    assert response.status == 200, path
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def squashed(text: str) -> str:
    return "".join(text.split())


def act(tab: Any, action: str, fill: dict[str, str] | None = None) -> None:
    """Fill and send one move: the step's primary action is shown open; the others
    sit under "Thao tác khác", each in its own disclosure."""
    panel = tab.locator(f"#action-{action}")
    if panel.evaluate("el => el.tagName") == "DETAILS":
        if not tab.locator("#more-actions").evaluate("el => el.open"):
            tab.locator("#more-actions > summary").click()
        panel.locator("summary").click()
    for selector, value in (fill or {}).items():
        field = panel.locator(selector)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        elif field.get_attribute("type") == "checkbox":
            field.check()
        else:
            field.fill(value)
    panel.locator("button[type=submit]").click()
    tab.wait_for_load_state()


def status_of(tab: Any) -> int:
    return int(tab.locator("#dossier-status").get_attribute("data-status"))


def test_dossier_walks_from_desk_through_two_units_to_result_returned(
    walk: Walk, open_as: Any
) -> None:
    clock = walk.clock
    # --- the clerk receives it at the desk ---------------------------------------------
    clerk = open_as("motcua.rachgia")
    assert_accessible(clerk)  # the worklist
    clerk.goto(clerk.base_url + "/can-bo/ho-so/tiep-nhan/")
    clerk.fill("#procedure-search", "khai sinh")
    clerk.select_option("#id_procedure", f"{walk.version.pk}:{walk.org.district.pk}")
    clerk.click("#choose-procedure")
    clerk.wait_for_load_state()
    clerk.fill("#id_applicant_name", "Nguyễn Thị Hoà")
    clerk.fill("#id_applicant_id_number", "091190004321")
    clerk.fill("#id_applicant_address", "12 Trần Phú, phường Vĩnh Thanh Vân, Rạch Giá")
    clerk.fill("#id_applicant_phone", "0912345678")
    papers = list(walk.version.papers.order_by("position"))
    # First only two of the three compulsory papers: the desk says what is missing.
    for paper in papers[:2]:
        clerk.check(f"#id_paper_{paper.pk}_received")
    assert_accessible(clerk)  # the receipt page
    clerk.click("#decision-receive")
    clerk.wait_for_load_state()
    assert papers[2].name in clerk.locator("#missing-list").inner_text()
    assert clerk.input_value("#id_applicant_name") == "Nguyễn Thị Hoà"  # nothing lost
    assert_accessible(clerk)
    clerk.check(f"#id_paper_{papers[2].pk}_received")
    clerk.click("#decision-receive")
    clerk.wait_for_load_state()
    code = clerk.locator("#dossier-code").inner_text().strip()
    assert status_of(clerk) == Status.RECEIVED
    assert_accessible(clerk)  # the dossier page
    dossier = Dossier.objects.get(code=code)
    first_due = dossier.due_at
    assert first_due == at("2025-03-10", "08:00")  # 5 working days

    slip = pdf_text(clerk, f"/can-bo/mau-phieu/{code}/01.pdf")
    assert code in squashed(slip)
    assert "Nguyễn Thị Hoà" in slip
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in " ".join(slip.split())
    assert "10/03/2025" in slip  # the appointment

    # --- the desk hands it to the specialist of Phòng Tư pháp (second unit) -------------
    clock.set(at("2025-03-03", "09:00"))
    act(clerk, "forward", {"select": str(walk.specialist.pk)})
    assert status_of(clerk) == Status.PROCESSING
    assert "Phòng Tư pháp" in clerk.locator("#current-unit").inner_text()

    specialist = open_as("tuphap.cv")
    specialist.goto(specialist.base_url + "/can-bo/ho-so/?tab=process")
    specialist.get_by_role("link", name=code).click()
    specialist.wait_for_load_state()

    # --- a supplement request stops the clock... -----------------------------------------
    clock.set(at("2025-03-04", "10:00"))
    act(
        specialist, "request_supplement", {"textarea[name$=missing_papers]": "Giấy xác nhận cư trú"}
    )
    assert status_of(specialist) == Status.SUPPLEMENT_REQUESTED
    assert specialist.locator("#form-02").count() == 1

    # --- ...and restarts when the applicant brings it, two working days later ------------
    clock.set(at("2025-03-06", "10:00"))
    clerk.reload()
    act(clerk, "receive_supplement", {f"input[value='{papers[3].pk}']": "on"})
    assert status_of(clerk) == Status.PROCESSING
    dossier.refresh_from_db()
    assert dossier.due_at == at("2025-03-12", "08:00")  # moved by the two days stopped
    assert dossier.due_at != first_due
    assert "12/03/2025" in clerk.locator("#due-at").inner_text()

    # --- the specialist passes it to the city's leader (third unit), who signs -----------
    clock.set(at("2025-03-06", "14:00"))
    specialist.reload()
    act(specialist, "forward", {"select": str(walk.leader.pk)})
    assert "Rạch Giá" in specialist.locator("#current-unit").inner_text()

    leader = open_as("ld.rachgia")
    leader.goto(leader.base_url + "/can-bo/ho-so/?tab=approve")
    leader.get_by_role("link", name=code).click()
    leader.wait_for_load_state()
    clock.set(at("2025-03-07", "09:00"))
    act(leader, "result_ready", {"textarea[name$=result_names]": "Giấy khai sinh (bản chính)"})
    assert status_of(leader) == Status.RESULT_READY

    # --- the desk returns the result --------------------------------------------------------
    clock.set(at("2025-03-07", "15:00"))
    clerk.goto(clerk.base_url + "/can-bo/ho-so/?tab=return")
    clerk.get_by_role("link", name=code).click()
    clerk.wait_for_load_state()
    act(clerk, "return_result")
    assert status_of(clerk) == Status.RETURNED
    history = clerk.locator("#history").inner_text()
    for name in ("Trần Thị Bình", "Lê Văn Cường", "Võ Văn Em"):
        assert name in history

    # --- the control sheet lists the handovers ----------------------------------------------
    sheet = pdf_text(clerk, f"/can-bo/mau-phieu/{code}/06.pdf")
    cells = squashed(sheet)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in " ".join(sheet.split())
    assert code in cells
    assert squashed("Phòng Tư pháp Thành phố Rạch Giá") in cells
    assert "TrầnThịBình" in cells and "LêVănCường" in cells and "VõVănEm" in cells
    assert "09:00,03/03/2025" in cells  # desk → Phòng Tư pháp
    assert "14:00,06/03/2025" in cells  # Phòng Tư pháp → leader

    clerk.set_viewport_size({"width": 360, "height": 740})
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 360
