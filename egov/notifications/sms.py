"""SMS text rules: which alphabet a message needs and how many segments it takes.

An SMS is sent in GSM-7 (160 characters, or 153 per segment when concatenated;
characters of the extension table such as ``€ [ ] { }`` take two) when every
character is in the GSM 03.38 alphabet; otherwise in UCS-2 (70 characters, 67 per
segment when concatenated, counted in UTF-16 units). Vietnamese with its
diacritics needs UCS-2; brandname SMS in Vietnam are therefore commonly sent
*unaccented* ("không dấu"), which :func:`unaccent` produces and which fits GSM-7.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

#: Characters outside GSM-7 that unaccented text replaces with a plain equivalent.
_PLAIN = {
    "đ": "d",
    "Đ": "D",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "•": "-",
    "·": "-",
}


_AMOUNT_SIGN = re.compile(r"(\d) đ(?!\w)")


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of one segment of this message

    @property
    def characters(self) -> int:
        return self.units


_GSM7 = GSM7_BASIC | GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    return _GSM7.issuperset(text)


def measure(text: str) -> SmsSize:
    """Encoding and number of segments of ``text`` (an empty text takes one)."""
    text = unicodedata.normalize("NFC", text)
    if is_gsm7(text):
        # Extension characters take two septets.
        units = len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SmsSize(encoding, units, 1, single)
    return SmsSize(encoding, units, math.ceil(units / multi), multi)


def unaccent(text: str) -> str:
    """Vietnamese without diacritics ("Hẹn trả kết quả" → "Hen tra ket qua"), with
    typographic quotes and dashes made plain, so the text fits GSM-7. An amount's
    sign is written out ("50.000 đ" → "50.000 dong"): a bare "d" reads as nothing."""
    text = _AMOUNT_SIGN.sub(r"\1 dong", unicodedata.normalize("NFC", text))
    # Character by character (decomposed, marks dropped, made plain), remembered:
    # a message has a few dozen distinct characters and every SMS goes through here.
    plain = _plain_chars
    out = [plain[ch] if ch in plain else _plain_char(ch) for ch in text]
    return unicodedata.normalize("NFC", "".join(out))


_plain_chars: dict[str, str] = {}


def _plain_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    found = "".join(_PLAIN.get(c, c) for c in decomposed if not unicodedata.combining(c))
    if len(_plain_chars) < 4096:
        _plain_chars[ch] = found
    return found


def truncate_to_segments(text: str, segments: int) -> str:
    """The longest prefix of ``text`` (cut at a space when possible, ending with
    "...") that fits in ``segments``; ``text`` itself when it already fits."""
    if measure(text).segments <= segments:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + "...").segments <= segments:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > low * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "..."
