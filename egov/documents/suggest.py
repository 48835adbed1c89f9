"""First guesses for the register form from the text read in a scan.

The clerk always checks them: a guess fills only an empty field and is shown in the
form, never saved by itself. Decree 30 lays out the first page the same way for
every document (issuing body at the top left, "Số: 12/QĐ-UBND", the type name in
capitals, "V/v …" or the summary under it), which is what these patterns read.
"""

from __future__ import annotations

import re
from typing import Any

from egov.documents.doctypes import DECREE_30_TYPES
from egov.procedures.text import search_key

_NUMBER = re.compile(r"S[ốô]\s*[:.]?\s*(\d{1,7})\s*/\s*([0-9A-ZĐa-zđ][0-9A-ZĐa-zđ\-\.]{0,28})")
_SUBJECT = re.compile(r"^\s*(?:V/v|V/V|Về việc)\s*[:.]?\s*(.+)$", re.MULTILINE)
_TYPE_NAMES = sorted(
    ((search_key(name.split(" (")[0]), code) for code, name, _abbr in DECREE_30_TYPES),
    key=lambda pair: -len(pair[0]),
)


def suggest(text: str) -> dict[str, Any]:
    """Field values guessed from the recognised text (only those found)."""
    found: dict[str, Any] = {}
    if not text:
        return found
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    number = _NUMBER.search(text)
    if number:
        found["code_number"] = number.group(1)
        found["code_notation"] = number.group(2).strip(".-").upper()
    if lines and lines[0].isupper() and len(lines[0]) <= 200:
        found["issuing_agency_name"] = lines[0]
    for line in lines[:12]:
        if not line.isupper():
            continue
        key = search_key(line)
        for name, code in _TYPE_NAMES:
            if key == name:
                found["type_code"] = code
                break
        if "type_code" in found:
            break
    subject = _SUBJECT.search(text)
    if subject:
        rest = subject.group(1).strip()
        index = lines.index(subject.group(0).strip()) if subject.group(0).strip() in lines else -1
        if 0 <= index < len(lines) - 1 and not lines[index + 1].isupper() and len(rest) < 120:
            rest = f"{rest} {lines[index + 1]}"
        found["subject"] = f"Về việc {rest}"[:500]
    return found
