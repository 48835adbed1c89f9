"""Names of data that users read, in the page's language.

Catalogue entries, fields, papers, process steps and units are named in Vietnamese
(``name``); a blank-able English twin (``name_en``) is shown on English pages and
the Vietnamese name stands in where no English name was given. Stored data, search
keys, legal documents (PDFs, forms) and the API keep the Vietnamese name.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation


def english_active() -> bool:
    language = translation.get_language() or ""
    return language.split("-")[0].lower() == "en"


def localized_name(obj: Any, field: str = "name") -> str:
    """``obj.<field>_en`` on English pages when it is non-empty, else ``obj.<field>``.

    ``obj`` may be a model instance or a mapping (rows built by selectors); ``None``
    gives an empty text so templates can chain ``|default``.
    """
    if obj is None:
        return ""
    if isinstance(obj, dict):
        base = obj.get(field)
        english = obj.get(f"{field}_en") if english_active() else None
    else:
        base = getattr(obj, field, None)
        english = getattr(obj, f"{field}_en", None) if english_active() else None
    if english and str(english).strip():
        return str(english)
    return "" if base is None else str(base)
