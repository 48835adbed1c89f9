"""Feedback (phản ánh, kiến nghị) in a real browser: a citizen sends feedback, the
agency asks for more, the citizen replies with the follow-up key, the agency
answers and publishes; the public page shows the answer (found without
diacritics) and takes a like; the agency's indicators change accordingly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.tests.factories import World, build_world
from egov.feedback import selectors
from egov.feedback.complaint_models import Complaint, ComplaintStatus
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> Iterator[World]:
    ensure_default_roles()  # live-server tests run on a flushed database
    cache.clear()
    yield build_world()
    cache.clear()


def staff_context(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    sign_in_verified(client, user)
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": live_server.url}
            for name, morsel in client.cookies.items()
        ]
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = live_server.url
    return tab


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def indicators(world: World) -> dict[str, tuple[int, int]]:
    today = timezone.localdate()
    rows = selectors.pakn_indicators(
        [world.org.district.pk], today - timedelta(days=1), today + timedelta(days=1)
    )
    return {row["code"]: (row["numerator"], row["denominator"]) for row in rows}


def test_citizen_sends_agency_asks_more_answers_publishes(
    page: Any, browser: Any, live_server: Any, world: World
) -> None:
    assert indicators(world)["5.1"] == (0, 0)
    # The citizen, not signed in, sends feedback about the agency.
    page.goto(page.base_url + "/phan-anh/gui/")
    assert_accessible(page)
    page.check('input[name="about"][value="official"]')
    page.select_option('select[name="agency"]', world.org.district.code)
    page.fill('input[name="title"]', "Phòng chờ một cửa quá nóng")
    page.fill('textarea[name="body"]', "Buổi chiều phòng chờ không có quạt, phải chờ lâu.")
    page.fill('input[name="name"]', "Trần Văn Bảy")
    page.fill('input[name="email"]', "bay@example.vn")
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Đã gửi phản ánh, kiến nghị").is_visible()
    key = page.locator("#pakn-key").inner_text().strip()
    complaint = Complaint.objects.get()
    assert complaint.agency == world.org.district and len(key) > 20
    assert indicators(world) == {"5.1": (0, 1), "5.2": (1, 1), "5.3": (1, 1)}

    # The agency sees it in its worklist, classifies it and asks for more.
    staff = staff_context(browser, live_server, world.staff.clerk)
    staff.goto(live_server.url + "/phan-anh/can-bo/")
    assert complaint.code in staff.content()
    assert "Chưa phân loại" in staff.content()
    staff.get_by_role("link", name=complaint.code).click()
    staff.wait_for_load_state()
    assert_accessible(staff)
    staff.check('input[name="classify-category"][value="other"]')
    staff.get_by_role("button", name="Lưu phân loại").click()
    staff.wait_for_load_state()
    staff.fill('textarea[name="ask_more-request"]', "Đề nghị cho biết ngày và giờ anh đến.")
    staff.get_by_role("button", name="Đề nghị bổ sung", exact=True).click()
    staff.wait_for_load_state()
    assert "Chờ người gửi bổ sung thông tin" in staff.locator("#pakn-status").inner_text()

    # The citizen opens the follow-up page with the key and replies.
    page.goto(page.base_url + f"/phan-anh/theo-doi/{complaint.code}/")
    page.fill('input[name="key"]', key)
    page.get_by_role("button", name="Xem phản ánh của tôi").click()
    page.wait_for_load_state()
    assert "Đề nghị cho biết ngày và giờ anh đến." in page.content()
    page.fill('textarea[name="reply"]', "Chiều thứ Hai, khoảng 14 giờ.")
    page.get_by_role("button", name="Gửi thông tin bổ sung").click()
    page.wait_for_load_state()
    assert "Đã tiếp nhận, đang xử lý" in page.locator("#pakn-status").inner_text()

    # The agency answers and publishes.
    staff.reload()
    assert "Chiều thứ Hai, khoảng 14 giờ." in staff.locator("#pakn-reply").inner_text()
    staff.fill('textarea[name="answer-answer"]', "Bộ phận Một cửa đã lắp thêm bốn quạt trần.")
    staff.get_by_role("button", name="Duyệt trả lời").click()
    staff.wait_for_load_state()
    staff.get_by_role("button", name="Công khai", exact=True).click()
    staff.wait_for_load_state()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.PUBLISHED
    staff.context.close()
    assert indicators(world) == {"5.1": (1, 1), "5.2": (1, 1), "5.3": (1, 1)}

    # The public page finds it without diacritics and takes one like per browser.
    page.goto(page.base_url + "/phan-anh/")
    page.get_by_role("searchbox").fill("quat tran")
    page.get_by_role("button", name=re.compile("^Tìm kiếm$")).click()
    page.wait_for_load_state()
    article = page.locator(f"#pakn-{complaint.code}")
    assert "Bộ phận Một cửa đã lắp thêm bốn quạt trần." in article.inner_text()
    assert_accessible(page)
    article.get_by_role("button", name=re.compile("^Thích")).click()
    page.wait_for_load_state()
    page.locator(f"#pakn-{complaint.code}").get_by_role("button", name=re.compile("^Thích")).click()
    page.wait_for_load_state()
    complaint.refresh_from_db()
    assert (complaint.likes, complaint.dislikes) == (1, 0)
    # A dislike from the same browser replaces the like: the answer now lowers 5.3.
    page.locator(f"#pakn-{complaint.code}").get_by_role(
        "button", name=re.compile("^Không thích")
    ).click()
    page.wait_for_load_state()
    assert indicators(world)["5.3"] == (0, 1)

    # The district's leader reads it on the 766 index page: group 5 counts the
    # complaint, handled on time (5.2) but disliked (5.3).
    leader = staff_context(browser, live_server, world.staff.leader)
    today = timezone.localdate()
    query = f"?unit={world.org.district.code}&start={today}&end={today}"
    leader.goto(leader.base_url + "/can-bo/chi-so-766/" + query)
    cells = {
        code: leader.locator(f'tr[data-code="{code}"] td').all_inner_texts()
        for code in ("5.1", "5.2", "5.3")
    }
    assert cells["5.2"][2:4] == ["1", "1"] and cells["5.2"][5] == "6,00 / 6"
    assert cells["5.3"][2:4] == ["0", "1"] and cells["5.3"][5] == "0,00 / 6"
    assert_accessible(leader)
    leader.context.close()
