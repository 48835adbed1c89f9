"""The public lookup's limits (egov.dossiers.public.limits): a person behind a
shared (carrier NAT) address is not refused because of other people's mistakes,
a browser's run of unknown codes earns doubling waits, and a script that drops
its cookies is still stopped by its network's counter. Default settings unless a
test says otherwise, so the defaults themselves are what is tested."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from egov.dossiers.public import limits
from egov.dossiers.public.limits import (
    BROWSER_COOKIE,
    BrowserDelays,
    BrowserRun,
    NetworkThrottle,
    browser_of,
    network_of,
)
from egov.dossiers.tests.test_forms_pdf import World
from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world

pytestmark = pytest.mark.django_db

API = "/api/v1/public/dossiers/"
PAGE = "/tra-cuu/"
NAT = "203.0.113.9"  # one carrier address shared by many subscribers


def unknown(number: int) -> str:
    return f"000.00.31.H33-260301-{9000 + number:04d}"


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_lookup_world()


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(limits, "clock", moved)
    return moved


def browser(address: str = NAT) -> Client:
    """A browser: keeps the cookie it is given (Django's test client does)."""
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="vi")


# --- the two tests the issue asks for ---------------------------------------------------


def test_a_script_without_cookies_is_stopped_by_the_network_counter(
    world: World, settings: Any
) -> None:
    limit = settings.EGOV_LOOKUP_UNKNOWN_LIMIT
    assert limit == 150  # the documented default
    answers = []
    for number in range(limit):
        script = Client(REMOTE_ADDR=NAT)  # no cookie ever sent back
        response = script.get(API + unknown(number))
        answers.append(response.status_code)
        # Each request looks like a fresh browser and is given a new cookie...
        assert BROWSER_COOKIE in response.cookies
    # ...so no browser wait ever stops it, but its network does.
    assert answers == [404] * limit
    refused = Client(REMOTE_ADDR=NAT).get(API + unknown(limit))
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_lookups"
    assert 0 < int(refused["Retry-After"]) <= settings.EGOV_LOOKUP_WINDOW_SECONDS
    # Known codes too: otherwise "found" against "refused" would still answer it.
    assert Client(REMOTE_ADDR=NAT).get(API + PRIVATE_CODE).status_code == 429
    # So is a browser that brings its cookie: the network's threshold was reached.
    assert browser().get(PAGE, {"ma": PRIVATE_CODE}).status_code == 429


def test_a_valid_code_after_50_unknown_codes_from_other_browsers_succeeds(world: World) -> None:
    # Fifty unknown codes from ten other browsers behind the same address, five each:
    # as many as a browser may make without waiting.
    for person in range(10):
        other = browser()
        for attempt in range(5):
            assert other.get(PAGE, {"ma": unknown(person * 5 + attempt)}).status_code == 404
    citizen = browser()
    citizen.get(PAGE)  # opens the form: the cookie is set before the first lookup
    found = citizen.get(PAGE, {"ma": PRIVATE_CODE})
    assert found.status_code == 200
    assert "Đăng ký khai sinh" in found.content.decode()
    # The API answers the same, for a browser that never came before.
    assert browser().get(API + PRIVATE_CODE).status_code == 200


# --- per browser ------------------------------------------------------------------------


def test_the_wait_doubles_for_a_run_of_unknown_codes() -> None:
    delays = BrowserDelays(free_misses=5, first_delay=30, max_delay=3600)
    assert [delays.after(n) for n in range(1, 13)] == [
        0,
        0,
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert delays.after(10_000) == 3600  # no overflow


def test_a_browser_waits_longer_after_each_unknown_code(world: World, clock: Clock) -> None:
    person = browser()
    for number in range(5):
        assert person.get(API + unknown(number)).status_code == 404
    refused = person.get(API + PRIVATE_CODE)
    # Structured JSON, like every refusal of the API.
    assert refused.status_code == 429
    assert refused.json()["code"] == "lookups_delayed"
    assert refused.json()["field"] is None
    assert refused["Retry-After"] == "30"
    assert "30" in refused.json()["message"]
    # Someone else behind the same address is not held up.
    assert browser().get(API + PRIVATE_CODE).status_code == 200

    clock.t += 29
    assert person.get(API + PRIVATE_CODE)["Retry-After"] == "1"
    clock.t += 1
    assert person.get(API + unknown(5)).status_code == 404  # the 6th unknown code in a row
    assert person.get(API + PRIVATE_CODE)["Retry-After"] == "60"
    clock.t += 60
    assert person.get(API + unknown(6)).status_code == 404
    assert person.get(API + PRIVATE_CODE)["Retry-After"] == "120"


def test_a_code_found_ends_the_run_but_not_the_network_count(
    world: World, settings: Any, clock: Clock
) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 6
    person = browser()
    for number in range(4):
        person.get(API + unknown(number))
    assert person.get(API + PRIVATE_CODE).status_code == 200
    for number in range(4, 6):
        assert person.get(API + unknown(number)).status_code == 404  # a new run: no wait
    # Six unknown codes from this network in the window: the network's limit.
    refused = browser().get(API + PRIVATE_CODE)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_lookups"


def test_a_forged_or_missing_cookie_is_a_fresh_browser(world: World, settings: Any) -> None:
    person = browser()
    for number in range(5):
        person.get(API + unknown(number))
    assert person.get(API + PRIVATE_CODE).status_code == 429
    named = person.cookies[BROWSER_COOKIE].value
    # Someone edits the value: the signature fails, so it names no browser (and
    # surely not the one it was copied from); a new cookie replaces it.
    person.cookies[BROWSER_COOKIE] = named.replace(named.split(":")[0], "someone-else")
    answer = person.get(API + PRIVATE_CODE)
    assert answer.status_code == 200
    assert answer.cookies[BROWSER_COOKIE].value != named


def test_the_cookie_is_signed_httponly_and_same_site(world: World) -> None:
    response = browser().get(PAGE)
    cookie = response.cookies[BROWSER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) > 30 * 24 * 3600
    # Signed: read back it names a browser; the same id without its signature does not.
    request = RequestFactory().get(PAGE)
    request.COOKIES[BROWSER_COOKIE] = cookie.value
    named = browser_of(request)
    assert not named.fresh and named.id and named.id in cookie.value and named.id != cookie.value
    request.COOKIES[BROWSER_COOKIE] = named.id
    assert browser_of(request).fresh
    assert "Cookie" in response["Vary"]
    # A browser that already has one is not given another.
    person = browser()
    person.get(PAGE)
    assert BROWSER_COOKIE not in person.get(PAGE, {"ma": PRIVATE_CODE}).cookies


def test_the_page_says_why_and_how_long_in_vietnamese(world: World) -> None:
    person = browser()
    for number in range(5):
        person.get(PAGE, {"ma": unknown(number)})
    refused = person.get(PAGE, {"ma": unknown(5)})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    html = refused.content.decode()
    assert "30 giây" in html
    assert "bạn đã tra cứu" in html.lower() and "ông/bà" not in html.lower()
    assert "Đăng ký khai sinh" not in html


def test_the_kiosk_counts_its_network_only(world: World, settings: Any) -> None:
    # A kiosk is one browser for everyone in the hall: one person's mistakes must
    # not make the next one wait.
    kiosk = browser()
    for number in range(8):
        assert kiosk.get("/dich-vu-cong/kiosk/", {"ma": unknown(number)}).status_code == 404
    assert kiosk.get("/dich-vu-cong/kiosk/", {"ma": PRIVATE_CODE}).status_code == 200


# --- per network --------------------------------------------------------------------------


def test_networks_are_addresses_and_ipv6_prefixes() -> None:
    assert network_of("203.0.113.9") == "203.0.113.9"
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:ffff::9")
    assert network_of("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:203.0.113.9") == "203.0.113.9"
    assert network_of(None) == "unknown"
    assert network_of("sms:+84900000001") == "sms:+84900000001"


def test_an_ipv6_script_cannot_rotate_addresses_in_its_prefix(world: World, settings: Any) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 3
    for number in range(3):
        Client(REMOTE_ADDR=f"2001:db8:7:7::{number + 1:x}").get(API + unknown(number))
    refused = Client(REMOTE_ADDR="2001:db8:7:7::99").get(API + PRIVATE_CODE)
    assert refused.status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:7:8::1").get(API + PRIVATE_CODE).status_code == 200


def test_browser_and_network_counters_directly(settings: Any) -> None:
    settings.EGOV_LOOKUP_BROWSER_FREE_MISSES = 2
    settings.EGOV_LOOKUP_BROWSER_DELAY_SECONDS = 10
    settings.EGOV_LOOKUP_BROWSER_MAX_DELAY_SECONDS = 15
    run = BrowserRun("b1", now=100.0)
    run.count(found=False)
    assert BrowserRun("b1", now=100.0).retry_after() is None
    run.count(found=False)
    assert BrowserRun("b1", now=100.0).retry_after() == 10
    assert BrowserRun("b1", now=109.5).retry_after() == 1
    assert BrowserRun("b1", now=110.0).retry_after() is None
    BrowserRun("b1", now=110.0).count(found=False)
    assert BrowserRun("b1", now=110.0).retry_after() == 15  # 20, capped
    assert BrowserRun("b2", now=110.0).retry_after() is None
    BrowserRun("b1", now=130.0).count(found=True)
    assert BrowserRun("b1", now=130.0).misses() == 0
    network = NetworkThrottle("198.51.100.1", now=0.0)
    network.count(found=True)
    assert network.retry_after() is None
