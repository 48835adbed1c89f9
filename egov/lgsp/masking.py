"""Personal data hidden on the log pages: CCCD and other identity numbers, phone
numbers, names, addresses and dates of birth.

Bodies are kept unmasked in the log for the retention time (an investigation may
need them); what people see on the staff pages goes through :func:`mask_body`.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: JSON keys whose values are personal (compared without case, ``_`` or ``-``).
PERSONAL_KEYS = frozenset(
    {
        "name",
        "fullname",
        "hoten",
        "ten",
        "applicantname",
        "givenname",
        "familyname",
        "address",
        "diachi",
        "noithuongtru",
        "quequan",
        "birthdate",
        "dateofbirth",
        "ngaysinh",
        "email",
        "phone",
        "phonenumber",
        "sodienthoai",
        "cccd",
        "socccd",
        "idnumber",
        "personalid",
        "cmnd",
        "father",
        "mother",
        "tencha",
        "tenme",
    }
)

_DIGITS = re.compile(r"(?<!\d)(\+?\d[\d .-]{7,}\d)(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def _mask_digits(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 9:
        return raw
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def mask_text(text: str) -> str:
    """Long digit runs (CCCD, phone numbers) keep their first 3 and last 2 digits;
    e-mail addresses are hidden."""
    text = _EMAIL.sub("***@***", text)
    return _DIGITS.sub(_mask_digits, text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        words = value.split()
        if not words:
            return value
        return " ".join(word[0] + "***" for word in words)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "***"
    return _mask_tree(value, personal=True)


def _mask_tree(value: Any, *, personal: bool = False) -> Any:
    if isinstance(value, dict):
        masked: dict[str, Any] = {}
        for key, item in value.items():
            plain = re.sub(r"[_\-\s]", "", str(key)).lower()
            if plain in PERSONAL_KEYS or personal:
                masked[key] = (
                    _mask_value(item)
                    if not isinstance(item, dict | list)
                    else (_mask_tree(item, personal=True))
                )
            else:
                masked[key] = _mask_tree(item)
        return masked
    if isinstance(value, list):
        return [_mask_tree(item, personal=personal) for item in value]
    if isinstance(value, str):
        return _mask_value(value) if personal else mask_text(value)
    if personal and value is not None and not isinstance(value, bool):
        return "***"
    return value


def mask_body(body: str) -> str:
    """A body as shown on the log pages: JSON with personal fields masked (and digit
    runs in any text), otherwise the text with digit runs and e-mails masked."""
    if not body:
        return ""
    try:
        parsed = json.loads(body)
    except ValueError:
        return mask_text(body)
    return json.dumps(_mask_tree(parsed), ensure_ascii=False, indent=2)


def mask_path(path: str) -> str:
    return mask_text(path)
