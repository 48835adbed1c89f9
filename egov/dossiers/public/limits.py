"""How often the public may look dossiers up: per network and per browser.

Dossier codes are sequential (agency-yymmdd-NNNN), so guessing must stay slow;
but one address is shared by thousands of people behind a carrier's NAT, so the
address alone cannot tell a person from a script. Two counters, kept in the
shared cache (``EGOV_CACHE``; with several server processes it must be shared):

**Per network** (:class:`NetworkThrottle`): fixed windows of
``EGOV_LOOKUP_WINDOW_SECONDS`` (600) per IPv4 address or IPv6 /64 (one
subscriber's prefix: rotating addresses inside it changes nothing). A network may
look up ``EGOV_LOOKUP_UNKNOWN_LIMIT`` (150) unknown codes and ``EGOV_LOOKUP_LIMIT``
(600) codes in all per window; then every lookup from it, known codes included,
waits for the window to end (otherwise "found" against "refused" would still
answer the guesser). A province's citizens make a few thousand lookups a day
across all its addresses, a few per cent of them mistyped: one shared address
does not come near these numbers in normal use, a script does.

**Per browser** (:class:`BrowserRun`): a signed, HttpOnly cookie
(:data:`BROWSER_COOKIE`) names the browser. Its first
``EGOV_LOOKUP_BROWSER_FREE_MISSES`` (5) unknown codes in a row are answered at
once; after that each unknown code makes it wait, ``EGOV_LOOKUP_BROWSER_DELAY_SECONDS``
(30) the first time and twice as long each further time, up to
``EGOV_LOOKUP_BROWSER_MAX_DELAY_SECONDS`` (3600). A code found ends the run (the
network's count stays); a run is forgotten :data:`RUN_MEMORY_SECONDS` after its
last unknown code. A missing or forged cookie is a fresh browser, with no run:
a script that drops its cookies is slowed by the network counter alone.

So a person is never refused because of *other* browsers' mistakes on their
network unless the network's own threshold is reached.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: Name of the cookie naming the browser; its value is signed with this salt.
BROWSER_COOKIE = "egov_lookup"
_COOKIE_SALT = "egov.dossiers.public.browser"
_COOKIE_MAX_AGE = 365 * 24 * 3600
#: How long a browser's run of unknown codes is remembered after its last one.
RUN_MEMORY_SECONDS = 24 * 3600


def clock() -> float:
    """The counters' clock, in seconds (tests move it here)."""
    return time.time()


@dataclass(frozen=True)
class LookupLimits:
    window_seconds: int
    unknown_limit: int
    total_limit: int


def lookup_limits() -> LookupLimits:
    return LookupLimits(
        window_seconds=max(1, int(settings.EGOV_LOOKUP_WINDOW_SECONDS)),
        unknown_limit=int(settings.EGOV_LOOKUP_UNKNOWN_LIMIT),
        total_limit=int(settings.EGOV_LOOKUP_LIMIT),
    )


def network_of(ip: str | None) -> str:
    """The counting key of an address: the IPv4 address itself, the /64 of an IPv6
    address (what one subscriber gets), or ``"unknown"``."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip  # already a key (e.g. "sms:+8490…"), not an address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def _incr(key: str, timeout: int) -> int:
    # add() is a no-op when the key exists; incr() is atomic in the shared caches.
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


class NetworkThrottle:
    """Fixed-window counters of one network: unknown-code lookups and all lookups.

    ``retry_after()`` before looking up (``None``: go ahead), ``count(found=…)`` after.
    """

    PREFIX = "egov:lookup"

    def __init__(self, network: str | None, *, now: float | None = None) -> None:
        self.limits = lookup_limits()
        self.network = network_of(network)
        moment = clock() if now is None else now
        window = self.limits.window_seconds
        self.window_index = int(moment // window)
        self.seconds_left = max(1, int(window - (moment % window)))

    def _key(self, kind: str) -> str:
        return f"{self.PREFIX}:{kind}:{self.network}:{self.window_index}"

    def retry_after(self) -> int | None:
        """Seconds until this network may look up again, or ``None`` if it may now."""
        counts = cache.get_many([self._key("unknown"), self._key("all")])
        unknown = int(counts.get(self._key("unknown"), 0))
        total = int(counts.get(self._key("all"), 0))
        if unknown >= self.limits.unknown_limit or total >= self.limits.total_limit:
            return self.seconds_left
        return None

    def count(self, *, found: bool) -> None:
        timeout = self.limits.window_seconds + 5
        _incr(self._key("all"), timeout)
        if not found:
            _incr(self._key("unknown"), timeout)


@dataclass(frozen=True)
class BrowserDelays:
    free_misses: int
    first_delay: int
    max_delay: int

    def after(self, misses: int) -> int:
        """Seconds to wait after the ``misses``-th unknown code in a row."""
        if misses < self.free_misses:
            return 0
        # Capped exponent: 2**40 seconds is beyond any sensible maximum already.
        doublings = min(misses - self.free_misses, 40)
        return int(min(self.max_delay, self.first_delay * 2**doublings))


def browser_delays() -> BrowserDelays:
    return BrowserDelays(
        free_misses=max(1, int(settings.EGOV_LOOKUP_BROWSER_FREE_MISSES)),
        first_delay=max(1, int(settings.EGOV_LOOKUP_BROWSER_DELAY_SECONDS)),
        max_delay=max(1, int(settings.EGOV_LOOKUP_BROWSER_MAX_DELAY_SECONDS)),
    )


class BrowserRun:
    """One browser's run of unknown codes and the wait it has earned."""

    PREFIX = "egov:lookup:browser"

    def __init__(self, browser: str, *, now: float | None = None) -> None:
        self.delays = browser_delays()
        self.browser = browser
        self.now = clock() if now is None else now
        self.misses_key = f"{self.PREFIX}:misses:{browser}"
        self.last_key = f"{self.PREFIX}:last:{browser}"

    def misses(self) -> int:
        return int(cache.get(self.misses_key, 0))

    def retry_after(self) -> int | None:
        """Seconds until this browser may look up again, or ``None`` if it may now."""
        found = cache.get_many([self.misses_key, self.last_key])
        misses = int(found.get(self.misses_key, 0))
        wait = self.delays.after(misses)
        if not wait:
            return None
        left = float(found.get(self.last_key, 0.0)) + wait - self.now
        return max(1, int(-(-left // 1))) if left > 0 else None

    def count(self, *, found: bool) -> None:
        if found:
            cache.delete_many([self.misses_key, self.last_key])
            return
        _incr(self.misses_key, RUN_MEMORY_SECONDS)
        cache.set(self.last_key, self.now, timeout=RUN_MEMORY_SECONDS)


# --- the browser's cookie ----------------------------------------------------------------


@dataclass(frozen=True)
class Browser:
    """The browser asking: ``fresh`` when it brought no (valid) cookie, so the
    answer must give it one."""

    id: str
    fresh: bool


def browser_of(request: HttpRequest) -> Browser:
    """The browser named by the request's signed cookie, or a fresh one (a missing,
    expired or forged cookie)."""
    known = request.get_signed_cookie(
        BROWSER_COOKIE, default=None, salt=_COOKIE_SALT, max_age=_COOKIE_MAX_AGE
    )
    if known:
        return Browser(str(known), fresh=False)
    return Browser(secrets.token_urlsafe(18), fresh=True)


def remember_browser(response: HttpResponse, request: HttpRequest, browser: Browser) -> None:
    """Give a fresh browser its cookie (HttpOnly, same-site, secure over HTTPS)."""
    patch_vary_headers(response, ["Cookie"])
    if not browser.fresh:
        return
    response.set_signed_cookie(
        BROWSER_COOKIE,
        browser.id,
        salt=_COOKIE_SALT,
        max_age=_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or bool(settings.SESSION_COOKIE_SECURE),
    )


# --- what people read when refused ------------------------------------------------------


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def network_refusal(retry_after: int) -> str:
    minutes = max(1, -(-retry_after // 60))
    return _(
        "Too many lookups of codes that do not exist came from your network. "
        "Try again in %(minutes)s minutes."
    ) % {"minutes": minutes}


def browser_refusal(retry_after: int) -> str:
    return _(
        "You looked up several codes in a row that do not exist. Check the code on your "
        "receipt and appointment slip, then try again in %(wait)s."
    ) % {"wait": wait_text(retry_after)}
