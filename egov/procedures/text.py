"""Search keys for Vietnamese text: the same on SQLite and PostgreSQL.

People type procedure names with or without diacritics ("dang ky khai sinh",
"Đăng ký khai sinh", "ĐĂNG KÝ"), and in either Unicode form (NFC from most
keyboards, NFD from some Mac and Windows input methods). Both sides of a search
go through :func:`search_key`: decompose, drop the combining marks, map đ/Đ to
d (a letter of its own, not a d with a mark, so NFD leaves it alone), fold case
and collapse spaces. The database stores the key of each version's name and code
(``ProcedureVersion.search_key``) and the query compares plain ASCII-ish text,
so no database extension (unaccent, ICU collations) is needed.
"""

from __future__ import annotations

import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def search_key(text: str | None) -> str:
    """``"Đăng ký  Khai sinh"`` → ``"dang ky khai sinh"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_D_MAP))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def search_terms(query: str | None) -> list[str]:
    """The words of a query as search keys (each must appear in a match)."""
    return [term for term in search_key(query).split(" ") if term]
