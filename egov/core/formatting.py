"""How the platform writes amounts, dates and times for people.

One place for the Vietnamese conventions every app shows: ``1.000.000 đ``
(thousands grouped with dots), ``dd/mm/yyyy`` and ``HH:MM`` in the province's time
zone, ``0,5`` (decimal comma). Apps import these instead of keeping copies, so a
change of convention (or a bug fix) reaches forms, receipts, messages and pages
at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import overload

from django.utils import timezone


@overload
def local(moment: dt.datetime) -> dt.datetime: ...
@overload
def local(moment: None) -> None: ...
def local(moment: dt.datetime | None) -> dt.datetime | None:
    """``moment`` in the province's time zone (``TIME_ZONE``); ``None`` stays ``None``
    and a naive datetime (already local, e.g. a sample) is left as it is."""
    if moment is None:
        return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def format_date(value: dt.datetime | dt.date | None) -> str:
    """``dd/mm/yyyy`` in the province's time zone; empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def format_time(value: dt.datetime | None) -> str:
    """``HH:MM`` in the province's time zone; empty for ``None``."""
    return "" if value is None else local(value).strftime("%H:%M")


def format_amount(amount: int | Decimal | None) -> str:
    """``1.000.000 đ``: Vietnamese groups thousands with dots; the đồng has no
    smaller unit, so a Decimal amount is shown whole."""
    return f"{int(amount or 0):,}".replace(",", ".") + " đ"


def format_number(value: Decimal | float | int) -> str:
    """``5``, ``0,5``: no trailing zeros, decimal comma."""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return text.replace(".", ",")
