"""Every piece of text that comes in is stored and searched in Unicode NFC.

Vietnamese can be typed precomposed (NFC: "ễ" is one code point, as most keyboards
send it) or decomposed (NFD: "e" + two combining marks, as some Mac and Windows
input methods and copy-paste from PDFs send it). The two look the same but compare
different, so a name saved in one form was not found by a search typed in the other.
:class:`NFCInputMiddleware` normalises query strings, form fields and JSON bodies
before any view sees them; :func:`nfc` is for text arriving any other way (files,
commands) and for search keys built in code.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _signed_callback(request: HttpRequest) -> bool:
    # Server-to-server callbacks (payment platform, postal service) are verified by an
    # HMAC over their exact bytes; re-encoding their JSON would break the signature.
    return request.path.rstrip("/").endswith("/callback")


def nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def nfc_data(value: Any) -> Any:
    """``value`` with every string in it (keys too) in NFC; other values unchanged."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc_data(item) for item in value]
    if isinstance(value, dict):
        return {nfc_data(key): nfc_data(item) for key, item in value.items()}
    return value


def _normalised_querydict(data: QueryDict) -> QueryDict | None:
    """A normalised copy of ``data``, or ``None`` if it is already all NFC."""
    changed = any(
        not unicodedata.is_normalized("NFC", key)
        or any(not unicodedata.is_normalized("NFC", v) for v in values if isinstance(v, str))
        for key, values in data.lists()
    )
    if not changed:
        return None
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(nfc(key), [nfc(v) if isinstance(v, str) else v for v in values])
    copy._mutable = False
    return copy


def _normalise_json_body(request: HttpRequest) -> None:
    try:
        body = request.body
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON after all: the view reports the error as it always has
    normalised = nfc_data(data)
    if normalised == data:
        return  # leave the exact bytes alone (signatures may cover them)
    new_body = json.dumps(normalised, ensure_ascii=False).encode("utf-8")
    request._body = new_body
    request._stream = BytesIO(new_body)
    request.META["CONTENT_LENGTH"] = str(len(new_body))


class NFCInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = _normalised_querydict(request.GET)
        if query is not None:
            request.GET = query  # type: ignore[assignment]
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if content_type in _FORM_TYPES and request.method == "POST":
                form = _normalised_querydict(request.POST)
                if form is not None:
                    request.POST = form  # type: ignore[assignment]
            elif (
                content_type == "application/json" or content_type.endswith("+json")
            ) and not _signed_callback(request):
                _normalise_json_body(request)
        return self.get_response(request)
