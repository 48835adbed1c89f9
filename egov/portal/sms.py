"""Dossier lookup by SMS: the text of an incoming message → the reply to send.

An SMS gateway posts each message it receives to ``POST /api/v1/portal/sms``
and sends back the ``reply``. Commands, case and diacritics ignored:

* ``HS <dossier code>``, ``TRACUU <code>``, ``TRA CUU <code>``, ``TC <code>``:
  the dossier's status and appointment date (the public lookup of
  :mod:`egov.dossiers.public.lookup`: never personal data);
* anything else: how to use the service.

The lookup's rate limits apply per sender number (instead of per IP: every
message comes from the gateway's address), both the network's and a browser's
growing waits; and per gateway,
over every sender number it passes on (``EGOV_PORTAL_SMS_GATEWAY_*_LIMIT``), since
whoever holds the gateway's token chooses the sender numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.formatting import format_date
from egov.dossiers.public.limits import LookupLimits, NetworkThrottle, lookup_limits
from egov.dossiers.public.lookup import normalise_code, throttled_lookup
from egov.notifications.sms import unaccent
from egov.procedures.text import search_key

#: Command words (folded, spaces removed) that ask for a lookup.
LOOKUP_COMMANDS = frozenset({"hs", "tracuu", "tc", "hoso"})
EXAMPLE_CODE = "000.00.31.H33-260115-0001"
MAX_TEXT = 480  # three concatenated SMS; more is not a lookup


@dataclass(frozen=True)
class SmsReply:
    reply: str
    outcome: str  # found / not_found / throttled / help


def normalise_sender(raw: str) -> str:
    """``"+84 912 345 678"`` → ``"+84912345678"`` (digits, a leading +)."""
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    return ("+" if text.startswith("+") else "") + digits


def parse(text: str) -> tuple[str | None, str]:
    """(command, code): the command word folded (``None`` if not a lookup) and
    the rest of the message as a dossier code."""
    parts = (text or "")[:MAX_TEXT].split()
    if not parts:
        return None, ""
    folded = [search_key(part).replace(".", "").replace(":", "") for part in parts]
    if len(folded) >= 2 and folded[0] + folded[1] in LOOKUP_COMMANDS:
        return folded[0] + folded[1], normalise_code("".join(parts[2:]))
    # "HS 000.00…", "HS: 000.00…", "Tra cứu: …" (punctuation after the command dropped)
    if folded[0] in LOOKUP_COMMANDS:
        return folded[0], normalise_code("".join(parts[1:]))
    return None, ""


def _help() -> str:
    return _("To look up a dossier, send: HS <dossier code>, e.g. HS %(example)s") % {
        "example": EXAMPLE_CODE
    }


class GatewayThrottle(NetworkThrottle):
    """The lookup counters of one SMS gateway, over all the sender numbers it
    passes on, with the gateway's own (higher) limits."""

    PREFIX = "egov:sms-gateway"

    def __init__(self, gateway: str) -> None:
        super().__init__(gateway)
        self.limits = LookupLimits(
            window_seconds=lookup_limits().window_seconds,
            unknown_limit=int(settings.EGOV_PORTAL_SMS_GATEWAY_UNKNOWN_LIMIT),
            total_limit=int(settings.EGOV_PORTAL_SMS_GATEWAY_LIMIT),
        )


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def answer(sender: str, text: str, *, gateway: str = "default") -> SmsReply:
    """The reply to ``text`` received from ``sender`` through ``gateway``."""
    command, code = parse(text)
    gateway_throttle = GatewayThrottle(gateway)
    if command is None or not code:
        result = SmsReply(_help(), "help")
    elif (gateway_wait := gateway_throttle.retry_after()) is not None:
        result = SmsReply(
            _("The SMS lookup is busy. Try again in %(minutes)s minutes.")
            % {"minutes": _minutes(gateway_wait)},
            "throttled",
        )
    else:
        # A sender number is one person's phone: counted as a network and, with
        # growing waits, as a browser.
        number = f"sms:{normalise_sender(sender)}"
        lookup = throttled_lookup(number, code, browser=number)
        if lookup.retry_after is None:
            gateway_throttle.count(found=lookup.found is not None)
        if lookup.retry_after is not None:
            result = SmsReply(
                _("Too many lookups from this number. Try again in %(minutes)s minutes.")
                % {"minutes": _minutes(lookup.retry_after)},
                "throttled",
            )
        else:
            found = lookup.found
            if found is None:
                result = SmsReply(
                    _("No dossier has the code %(code)s. Check the code on your receipt.")
                    % {"code": code[:40]},
                    "not_found",
                )
            else:
                status = found.status.split(" (")[0] if " (" in found.status else found.status
                if found.due_at is not None:
                    date = format_date(found.due_at)
                    text_out = _(
                        "Dossier %(code)s: %(status)s. Appointment to return the result: %(date)s."
                    ) % {"code": found.code, "status": status, "date": date}
                else:
                    text_out = _("Dossier %(code)s: %(status)s.") % {
                        "code": found.code,
                        "status": status,
                    }
                result = SmsReply(text_out, "found")
    if settings.EGOV_PORTAL_SMS_ASCII:
        return SmsReply(unaccent(result.reply), result.outcome)
    return result
