"""The demo catalogue against the national portal's pages it cites (issue 14):
every entry has a source, and the codes, names, levels and time limits agree
with what the cited page shows."""

from __future__ import annotations

import re

import pytest

from egov.procedures.demo import demo_procedures
from egov.procedures.text import search_key

CRAWL_REPOSITORY = "chatbot-tthc/chatbot_tthc"
PORTAL_PAGE = re.compile(r"^https://dichvucong\.gov\.vn/thu-tuc-hanh-chinh/[0-9a-f-]{36}$")

#: Codes that no longer exist on the portal or now name another procedure (issue 14).
GONE = {
    "1.000689",  # guardianship is 1.004837
    "2.000913",  # certifying a will is 2.001019
    "2.000720",  # registering a business household is 1.001612
    "1.010027",
    "1.010028",
    "1.010029",
    "1.010030",  # company registrations are 2.001610, 2.001583, 2.001199, 2.002043
    "2.002165",  # state compensation; civil-status confirmation is 2.002516
    "2.000843",
    "2.000488",
    "1.002804",
    "1.009994",
    "1.004221",
    "1.009972",
    "1.004227",
}


def _by_code() -> dict[str, dict]:
    return {item["national_code"]: item for item in demo_procedures()}


def _page_days(text: str | None) -> int | None:
    if not text:
        return None
    match = re.match(r"^(\d+)", text)
    return int(match.group(1)) if match else None


def _plain_name(name: str) -> str:
    return search_key(re.sub(r"^Thủ tục\s+", "", name))


def test_every_entry_cites_its_public_page() -> None:
    items = demo_procedures()
    assert items
    for item in items:
        source = item.get("source")
        code = item["national_code"]
        assert isinstance(source, dict), code
        assert PORTAL_PAGE.match(source["url"]), code
        assert source["page_code"] == code
        assert source["decision"], code
        assert source["level_on_page"], code
        assert source["checked_on"], code
        copy = source["copy"]
        assert copy["repository"] == CRAWL_REPOSITORY
        assert copy["path"].endswith(f"/{code}.json"), code
        assert re.fullmatch(r"[0-9a-f]{40}", copy["commit"]), code
        assert copy["crawled"]


def test_codes_that_no_longer_exist_are_gone() -> None:
    assert not GONE & set(_by_code())


@pytest.mark.parametrize(
    ("code", "days"),
    [
        ("1.004859", 1),  # not 3
        ("2.000806", 5),  # not 15
        ("1.001193", 1),
        ("1.004837", 3),
        ("2.000528", 1),
        ("2.001610", 3),
        ("2.001583", 3),
        ("2.001199", 3),
        ("2.002043", 3),
        ("1.013831", 18),
    ],
)
def test_limits_named_in_the_issue(code: str, days: int) -> None:
    item = _by_code()[code]
    assert item["time_limit"] == str(days)
    assert item["time_limit_unit"] == "working_days"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("1.004837", "giam ho"),
        ("2.001019", "chung thuc di chuc"),
        ("1.001612", "ho kinh doanh"),
        ("2.001610", "doanh nghiep tu nhan"),
        ("2.001583", "mot thanh vien"),
        ("2.001199", "hai thanh vien"),
        ("2.002043", "co phan"),
        ("2.002516", "xac nhan thong tin ho tich"),
    ],
)
def test_replacement_codes_name_the_right_procedure(code: str, words: str) -> None:
    item = _by_code()[code]
    assert words in _plain_name(item["name"])
    assert words in _plain_name(item["source"]["page_name"])


def test_entries_agree_with_the_page_they_cite() -> None:
    for code, item in _by_code().items():
        source = item["source"]
        days = _page_days(source["time_limit_on_page"])
        if days is None:
            # the page leaves the limit empty: the value comes from elsewhere and says so
            assert item.get("verify") and item.get("notes"), code
        else:
            assert item["time_limit"] == str(days), code
        # the name is the page's, short forms allowed (a leading "Thủ tục", a
        # shortened tail for the longest land title)
        plain, page = _plain_name(item["name"]), _plain_name(source["page_name"])
        assert page.startswith(plain[:40]) or plain.startswith(page[:40]), code
        # no district level since 1 July 2025; the level agrees with the page
        assert "district" not in item["levels"], code
        on_page = source["level_on_page"]
        if "commune" in item["levels"]:
            assert "Cấp xã" in on_page, code
        if "provincial_agency" in item["levels"]:
            assert "Cấp tỉnh" in on_page, code


def test_every_entry_records_its_publication_and_marks_demo_dates() -> None:
    """Index 766, 1.1 and 1.2: each entry says how it was made public. The decision
    number is the cited page's; the pages show no dates, so every date is marked as
    a demo value."""
    for item in demo_procedures():
        code = item["national_code"]
        publication = item.get("publication")
        assert isinstance(publication, dict), code
        assert publication["decision"] == item["source"]["decision"], code
        for key in ("decided_on", "effective_on", "posted_on"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", publication[key]), (code, key)
        assert publication["posted_on"] >= publication["decided_on"], code
        assert publication["demo"] is True, code
        assert "demo" in publication["note"], code
