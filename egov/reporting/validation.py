"""Checking the figures of a report against its regime's rules (types, ranges,
required figures, sum rules), all of them data on :class:`Indicator` rows.

Messages are for people filling the form: they name the indicator and say what
is wrong. Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from egov.reporting.models import Indicator, IndicatorKind

MAX_TEXT = 5000
MAX_NOTE = 1000
_GROUPED_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def _number_text(raw: str, kind: str) -> str:
    """Vietnamese writing: ``1.234`` is a thousand, ``1,5`` one and a half."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "").rstrip("%")
    if _GROUPED_THOUSANDS.match(text):
        text = text.replace(".", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


def parse_value(indicator: Indicator, raw: Any) -> tuple[Decimal | str | None, str | None]:
    """``(value, error)``: the value as a number (or text), ``None`` when empty."""
    if raw is None:
        return None, None
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        raw = str(raw)
    text = str(raw).strip()
    if not text:
        return None, None
    if indicator.kind == IndicatorKind.TEXT:
        if len(text) > MAX_TEXT:
            return None, _("“%(label)s”: at most %(n)s characters.") % {
                "label": indicator.label,
                "n": MAX_TEXT,
            }
        return text, None
    try:
        number = Decimal(_number_text(text, indicator.kind))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return None, _("“%(label)s”: “%(value)s” is not a number.") % {
            "label": indicator.label,
            "value": text[:40],
        }
    if indicator.kind == IndicatorKind.INTEGER and number != number.to_integral_value():
        return None, _("“%(label)s” must be a whole number.") % {"label": indicator.label}
    low = indicator.min_value
    high = indicator.max_value
    if indicator.kind == IndicatorKind.PERCENT:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    if low is not None and number < low:
        return None, _("“%(label)s” must be at least %(min)s (got %(value)s).") % {
            "label": indicator.label,
            "min": _plain(low),
            "value": _plain(number),
        }
    if high is not None and number > high:
        return None, _("“%(label)s” must be at most %(max)s (got %(value)s).") % {
            "label": indicator.label,
            "max": _plain(high),
            "value": _plain(number),
        }
    if indicator.kind == IndicatorKind.INTEGER:
        return Decimal(int(number)), None
    return number, None


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def as_text(value: Decimal | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _plain(value)
    return value


def check_values(
    indicators: Iterable[Indicator],
    entered: Mapping[str, Any],
    *,
    complete: bool,
) -> tuple[dict[str, str], dict[str, str]]:
    """Check every entered figure; ``complete`` (submitting) also asks for the
    required ones and the sum rules. Returns ``(clean, errors)``, both by code:
    clean values as normalised text, errors as messages."""
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    numbers: dict[str, Decimal] = {}
    listed = list(indicators)
    by_code = {i.code: i for i in listed}
    for indicator in listed:
        value, error = parse_value(indicator, entered.get(indicator.code))
        if error:
            errors[indicator.code] = error
            continue
        clean[indicator.code] = as_text(value)
        if isinstance(value, Decimal):
            numbers[indicator.code] = value
        elif value is None and complete and indicator.required:
            errors[indicator.code] = _("“%(label)s” is required.") % {"label": indicator.label}
    if complete:
        for indicator in listed:
            parts = [code for code in indicator.sum_of or [] if code in by_code]
            if not parts or indicator.code in errors or indicator.code not in numbers:
                continue
            if any(code not in numbers for code in parts):
                continue
            total = sum((numbers[code] for code in parts), Decimal(0))
            if total != numbers[indicator.code]:
                errors[indicator.code] = _(
                    "“%(label)s” (%(value)s) must equal the sum of %(parts)s (%(total)s)."
                ) % {
                    "label": indicator.label,
                    "value": _plain(numbers[indicator.code]),
                    "parts": ", ".join(f"“{by_code[c].label}”" for c in parts),
                    "total": _plain(total),
                }
    return clean, errors


def check_note(note: Any) -> str:
    return str(note or "").strip()[:MAX_NOTE]
