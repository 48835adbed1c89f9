"""Every piece of text that comes in is stored and searched in Unicode NFC, and
none carries a NUL character.

Vietnamese can be typed precomposed (NFC: "ễ" is one code point, as most keyboards
send it) or decomposed (NFD: "e" + two combining marks, as some Mac and Windows
input methods and copy-paste from PDFs send it). The two look the same but compare
different, so a name saved in one form was not found by a search typed in the other.
:class:`NFCInputMiddleware` normalises query strings, form fields and JSON bodies
before any view sees them; :func:`nfc` is for text arriving any other way (files,
commands) and for search keys built in code.

A NUL character (U+0000) has no place in any text a person types, and PostgreSQL
cannot store it in a text column: a request carrying one in a query string, a
form field or a JSON string is refused with 400 here, in the same words for every
app (a structured JSON error under ``/api/``), before a view or a query sees it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.core.errors import error_body

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


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    return False


def _querydict_has_nul(data: QueryDict) -> bool:
    return any(
        "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values)
        for key, values in data.lists()
    )


def _refuse(request: HttpRequest) -> HttpResponse:
    message = _(
        "The text sent contains a NUL character, which no field accepts. Remove it and send again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("invalid_text", message), status=400)
    return render(request, "refused.html", {"message": message, "code": "invalid_text"}, status=400)


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


def _normalise_json_body(request: HttpRequest) -> bool:
    """NFC for the JSON body's strings; ``False`` when one holds a NUL."""
    try:
        body = request.body
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return True  # not JSON after all: the view reports the error as it always has
    if _has_nul(data):
        return False
    normalised = nfc_data(data)
    if normalised == data:
        return True  # leave the exact bytes alone (signatures may cover them)
    new_body = json.dumps(normalised, ensure_ascii=False).encode("utf-8")
    request._body = new_body
    request._stream = BytesIO(new_body)
    request.META["CONTENT_LENGTH"] = str(len(new_body))
    return True


class NFCInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _querydict_has_nul(request.GET):
            return _refuse(request)
        query = _normalised_querydict(request.GET)
        if query is not None:
            request.GET = query  # type: ignore[assignment]
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if content_type in _FORM_TYPES and request.method == "POST":
                if _querydict_has_nul(request.POST):
                    return _refuse(request)
                form = _normalised_querydict(request.POST)
                if form is not None:
                    request.POST = form  # type: ignore[assignment]
            elif (
                (content_type == "application/json" or content_type.endswith("+json"))
                and not _signed_callback(request)
                and not _normalise_json_body(request)
            ):
                return _refuse(request)
        return self.get_response(request)
