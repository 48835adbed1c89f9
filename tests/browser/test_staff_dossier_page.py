"""Issue 15, items 1 and 2, in a real browser at 360 px and 1280 px: the one-stop
clerk sees the citizen's online declaration beside the papers (and its PDF), and the
city's leader, at "Ký duyệt kết quả", meets one primary action named after the
step ("Phê duyệt") under the specialist's opinion and draft of the result, with the
other moves folded under "Thao tác khác"; approving marks the result ready. Every page
passes axe-core and has no horizontal scroll on a phone. Screenshots go to
``EGOV_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import RoleCode
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.services import PaperIn
from egov.dossiers.tests.factories import build_org, make_template, make_version
from egov.procedures.models import RequiredPaper
from egov.submissions import services
from egov.submissions.demo import birth_registration
from egov.submissions.tests.conftest import APPLICANT, BIRTH_ANSWERS, pdf_upload
from tests.browser import test_dossier_walk as walk
from tests.browser.conftest import axe_violations, format_violations

make_staff = walk.make_staff
open_as = walk.open_as  # the walk's fixture: a signed-in tab per person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


def shoot(tab: Any, name: str) -> None:
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def check_page(tab: Any, name: str) -> None:
    """axe-core clean and no sideways scroll, at 360 px and 1280 px."""
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        tab.set_viewport_size(size)
        violations = axe_violations(tab)
        assert not violations, format_violations(violations)
        if size is PHONE:
            assert tab.evaluate("document.documentElement.scrollWidth") <= 360
        shoot(tab, f"{name}-{label}")


@pytest.fixture
def online_dossier() -> tuple[Dossier, Any]:
    ensure_default_roles()  # live-server tests run on a flushed database
    org = build_org()
    version = make_version()
    version.agencies.set([org.district])
    RequiredPaper.objects.filter(version=version, position=1).update(is_declaration=True)
    make_template(
        version,
        org.district,
        [
            ("Tiếp nhận, chuyển hồ sơ", org.desk, RoleCode.ONE_STOP_CLERK, 4, ("forward",)),
            ("Thẩm định hồ sơ", org.justice, RoleCode.SPECIALIST, 28, ("forward", "send_back")),
            (
                "Ký duyệt kết quả",
                org.district,
                RoleCode.AGENCY_LEADER,
                5.5,
                ("send_back", "approve"),
            ),
        ],
    )
    schema, layout = birth_registration()
    services.save_form_schema(None, version.procedure, schema=schema, layout=layout)
    citizen = User.objects.create_user(
        "091090001234", None, full_name="Nguyễn Văn An", kind=AccountKind.CITIZEN
    )
    draft = services.start_draft(citizen, version, agency=org.district)
    services.save_draft(
        citizen, draft, expected_version=draft.version, applicant=APPLICANT, answers=BIRTH_ANSWERS
    )
    uploads = {
        p.pk: pdf_upload(f"paper-{p.position}.pdf", p.name)
        for p in version.papers.all()
        if not p.is_optional and not p.is_declaration
    }
    services.save_papers(citizen, draft, expected_version=draft.version, uploads=uploads)
    dossier, _created = services.submit_draft(citizen, draft.pk)
    staff = {
        "clerk": make_staff("motcua.rachgia", "Trần Thị Bình", org.desk, RoleCode.ONE_STOP_CLERK),
        "specialist": make_staff("tuphap.cv", "Lê Văn Cường", org.justice, RoleCode.SPECIALIST),
        "leader": make_staff("ld.rachgia", "Võ Văn Em", org.district, RoleCode.AGENCY_LEADER),
    }
    return dossier, staff


def test_the_clerk_sees_the_declaration_and_the_leader_approves(
    online_dossier: tuple[Dossier, Any], open_as: Any
) -> None:
    dossier, staff = online_dossier
    page_url = f"/can-bo/ho-so/{dossier.code}/"

    # --- the desk: the declaration beside the papers; "Tiếp nhận" is the one action ---
    clerk = open_as("motcua.rachgia")
    clerk.goto(clerk.base_url + page_url)
    declaration = clerk.locator("#declaration")
    assert declaration.is_visible()
    text = declaration.inner_text()
    for expected in ("Người được khai sinh", "Họ, chữ đệm, tên của trẻ", "Nguyễn Thị Mai", "Nữ"):
        assert expected in text
    assert "20/02/2026" in text
    assert "đã khai trực tuyến" in clerk.locator("#h-papers + .table-wrap").inner_text()
    assert clerk.locator("#primary-action").inner_text().strip() == "Tiếp nhận"
    assert not clerk.locator("#more-actions").evaluate("el => el.open")
    check_page(clerk, "clerk-declaration")
    pdf_url = clerk.locator("#declaration-pdf").get_attribute("href")
    response = clerk.context.request.get(clerk.base_url + pdf_url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    if os.environ.get("EGOV_SCREENSHOTS"):
        (Path(os.environ["EGOV_SCREENSHOTS"]) / "declaration.pdf").write_bytes(response.body())
    pdf = unicodedata.normalize(
        "NFC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    )
    assert "Nguyễn Thị Mai" in pdf
    clerk.locator("#primary-action").click()
    clerk.wait_for_load_state()
    assert int(clerk.locator("#dossier-status").get_attribute("data-status")) == Status.RECEIVED

    # --- desk → specialist (with the opinion) → leader, through the services ---------
    fresh = Dossier.objects.get(pk=dossier.pk)
    dossier_services.forward(staff["clerk"], fresh, expected_version=fresh.version)
    dossier_services.forward(
        staff["specialist"],
        fresh,
        expected_version=fresh.version,
        note="Hồ sơ đủ điều kiện, đề nghị lãnh đạo ký Giấy khai sinh.",
        draft_result=[
            PaperIn(
                name="Dự thảo Giấy khai sinh.pdf",
                file=ContentFile(pdf_upload().read(), name="du-thao.pdf"),
            )
        ],
    )

    # --- the leader: one primary "Phê duyệt" under the specialist's opinion -----------
    leader = open_as("ld.rachgia")
    leader.set_viewport_size(PHONE)
    leader.goto(leader.base_url + page_url)
    opinion = leader.locator("#opinion")
    assert "Lê Văn Cường" in opinion.inner_text()
    assert "đề nghị lãnh đạo ký Giấy khai sinh" in opinion.inner_text()
    assert "Dự thảo Giấy khai sinh.pdf" in leader.locator("#draft-result").inner_text()
    primary = leader.locator("#primary-action")
    assert primary.inner_text().strip() == "Phê duyệt"
    box = primary.bounding_box()
    assert box is not None and box["height"] >= 44
    assert leader.locator("button.primary").count() == 1
    more = leader.locator("#more-actions")
    assert not more.evaluate("el => el.open")
    assert not leader.locator("#action-send_back").is_visible()
    assert leader.locator("#action-apology").count() == 0  # due in days, not late
    check_page(leader, "leader-approve")
    leader.set_viewport_size(PHONE)
    leader.locator("#more-actions > summary").click()
    assert leader.locator("#action-send_back").is_visible()
    shoot(leader, "leader-other-actions-360")
    leader.fill("#id_result_ready-result_names", "Giấy khai sinh (bản chính)")
    primary.click()
    leader.wait_for_load_state()
    assert int(leader.locator("#dossier-status").get_attribute("data-status")) == (
        Status.RESULT_READY
    )
    assert "Giấy khai sinh (bản chính)" in leader.content()
