"""Turning a notification template into the text an applicant receives.

Templates use Django's template language on a small, documented context (the same
names for every event; a value that does not apply is empty):

===============  ==============================================================
``code``         dossier code, e.g. ``000.00.33.H33-260302-0001``
``procedure``    name of the procedure
``agency``       the agency that received the dossier (UBND …)
``desk``         its one-stop unit (where the result is collected)
``applicant``    the applicant's name
``appointment``  appointment date for the result, ``dd/mm/yyyy`` (after an
                 apology letter: the new appointment)
``amount``       taxes and fees, e.g. ``1.250.000 đồng`` (the amount requested,
                 else the dossier's fees)
``reason``       the reason given: what to supplement, why refused, stopped or late
``papers``       papers asked for, separated by ``; ``
``lookup_url``   public lookup address: EGOV_PUBLIC_BASE_URL + ``/tra-cuu/?ma=<code>``
===============  ==============================================================

A template is validated by rendering it on a fictitious sample dossier whose
values are as long as the longest an SMS will carry (long values are shortened
in SMS, see :data:`SMS_LIMITS`), so a template that passes never produces an
SMS over the segment limit.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.translation import gettext as _

from egov.core.formatting import format_amount, format_date
from egov.notifications import sms
from egov.notifications.models import NotifyChannel

if TYPE_CHECKING:
    from egov.dossiers.models import Dossier, DossierEvent

VARIABLES: tuple[str, ...] = (
    "code",
    "procedure",
    "agency",
    "desk",
    "applicant",
    "appointment",
    "amount",
    "reason",
    "papers",
    "lookup_url",
)

#: Longest value of a variable in an SMS (longer ones end with "…").
SMS_LIMITS: dict[str, int] = {
    "procedure": 60,
    "agency": 60,
    "desk": 60,
    "applicant": 40,
    "reason": 80,
    "papers": 80,
}

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 5000
#: Tags that would reach outside the small context (other templates, libraries).
FORBIDDEN_TAGS = frozenset({"load", "include", "extends", "debug", "ssi"})

_MISSING = "\x00MISSING:%s\x00"
_MISSING_RE = re.compile("\x00MISSING:([^\x00]*)\x00")

_ENGINE = Engine(autoescape=False, libraries={})
_STRICT_ENGINE = Engine(autoescape=False, libraries={}, string_if_invalid=_MISSING)


def lookup_url(code: str) -> str:
    from egov.dossiers.paperforms.context import public_lookup_url

    return public_lookup_url(code)


def _shorten(value: str, limit: int) -> str:
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    return value[: limit - 1].rstrip() + "…"


def sms_values(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context with long values shortened as SMS carry them."""
    values = dict(context)
    for name, limit in SMS_LIMITS.items():
        values[name] = _shorten(str(values.get(name) or ""), limit)
    return values


def dossier_context(dossier: Dossier, event: DossierEvent) -> dict[str, str]:
    """The template context for ``event`` of ``dossier``."""
    data = event.data or {}
    papers = [str(item) for item in data.get("asked") or []]
    papers += [str(item.get("name", "")) for item in data.get("missing") or [] if item]
    amount = dossier.payment_requested or dossier.fee_amount
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "agency": dossier.receiving_agency.name,
        "desk": dossier.receiving_unit.name,
        "applicant": dossier.applicant_name,
        "appointment": format_date(dossier.due_at),
        "amount": format_amount(amount) if amount else "",
        # Templates end sentences themselves: "Lý do: {{ reason }}."
        "reason": (event.note or data.get("reasons", "") or "").strip().rstrip(".;"),
        "papers": "; ".join(p for p in papers if p),
        "lookup_url": lookup_url(dossier.code),
    }


SAMPLE_CODE = "000.00.33.H33-260302-0001"


def sample_context() -> dict[str, str]:
    """A fictitious dossier with values as long as an SMS carries them."""
    return {
        "code": SAMPLE_CODE,
        "procedure": (
            "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
            "gắn liền với đất lần đầu"
        ),
        "agency": "Ủy ban nhân dân Thành phố Rạch Giá",
        "desk": "Bộ phận Tiếp nhận và Trả kết quả Thành phố Rạch Giá",
        "applicant": "Nguyễn Thị Hồng Nhung",
        "appointment": "09/03/2026",
        "amount": format_amount(1_250_000),
        "reason": (
            "Thiếu bản sao Căn cước công dân của người được ủy quyền và văn bản ủy quyền "
            "có chứng thực theo quy định"
        ),
        "papers": "Bản sao Căn cước công dân; Giấy xác nhận tình trạng hôn nhân",
        "lookup_url": lookup_url(SAMPLE_CODE),
    }


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    size: sms.SmsSize | None = None  # SMS only
    #: The SMS as written, before diacritics were removed (SMS only).
    accented: str = ""


class TemplateProblem(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@functools.lru_cache(maxsize=256)
def _compile(source: str, field: str, engine: Engine) -> Any:
    """The compiled template (cached: every dossier change renders the same few
    templates, and compiling costs more than rendering; a refusal is not cached)."""
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name in FORBIDDEN_TAGS:
                raise TemplateProblem(
                    field, _("The tag {%% %(tag)s %%} cannot be used here.") % {"tag": name}
                )
    try:
        return engine.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            field, _("The template has an error: %(error)s") % {"error": error}
        ) from None


def _render(source: str, field: str, context: Mapping[str, Any], *, strict: bool) -> str:
    engine = _STRICT_ENGINE if strict else _ENGINE
    template = _compile(source, field, engine)
    try:
        text = str(template.render(Context(dict(context))))
    except Exception as error:  # a filter may fail on a value
        raise TemplateProblem(
            field, _("The template cannot be rendered: %(error)s") % {"error": error}
        ) from None
    if strict:
        unknown = sorted(set(_MISSING_RE.findall(text)))
        if unknown:
            raise TemplateProblem(
                field,
                _("Unknown variable: %(names)s. You can use: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(VARIABLES)},
            )
    return unicodedata.normalize("NFC", text)


def render(
    *,
    channel: str,
    subject: str,
    body: str,
    unaccented: bool,
    context: Mapping[str, Any],
    strict: bool = False,
) -> Rendered:
    """The message for ``context``. SMS: one line, diacritics removed if asked, and
    cut to the segment limit as a last resort. Raises :class:`TemplateProblem`."""
    if channel == NotifyChannel.SMS:
        text = " ".join(_render(body, "body", sms_values(context), strict=strict).split())
        accented = text
        if unaccented:
            text = sms.unaccent(text)
        if not strict:
            text = sms.truncate_to_segments(text, settings.EGOV_SMS_MAX_SEGMENTS)
        return Rendered("", text, sms.measure(text), accented)
    rendered_subject = " ".join(_render(subject, "subject", context, strict=strict).split())
    text = _render(body, "body", context, strict=strict).strip()
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n"))
    return Rendered(rendered_subject[:255], text)


def check_template(*, channel: str, subject: str, body: str, unaccented: bool) -> Rendered:
    """Raise ``ValidationError`` (per field) unless the template compiles, renders on
    the sample dossier, and (SMS) fits the segment limit; return the sample."""
    errors: dict[str, str] = {}
    if channel not in NotifyChannel.values:
        errors["channel"] = _("Choose e-mail or SMS.")
    if not (body or "").strip():
        errors["body"] = _("Enter the text of the message.")
    elif len(body) > MAX_BODY_LENGTH:
        errors["body"] = _("The text is too long (at most %(max)s characters).") % {
            "max": MAX_BODY_LENGTH
        }
    if channel == NotifyChannel.EMAIL:
        if not (subject or "").strip():
            errors["subject"] = _("Enter the subject of the e-mail.")
        elif len(subject) > MAX_SUBJECT_LENGTH:
            errors["subject"] = _("The subject is too long (at most %(max)s characters).") % {
                "max": MAX_SUBJECT_LENGTH
            }
    if errors:
        raise ValidationError(errors)
    problems: dict[str, str] = {}
    fields = ("subject", "body") if channel == NotifyChannel.EMAIL else ("body",)
    sources = {"subject": subject, "body": body}
    for name in fields:
        try:
            _render(sources[name], name, sms_values(sample_context()), strict=True)
        except TemplateProblem as problem:
            problems[name] = problem.message
    if problems:
        raise ValidationError(problems)
    result = render(
        channel=channel,
        subject=subject,
        body=body,
        unaccented=unaccented,
        context=sample_context(),
        strict=True,
    )
    if channel == NotifyChannel.SMS:
        if not result.body:
            raise ValidationError({"body": _("The SMS is empty on the sample dossier.")})
        limit = settings.EGOV_SMS_MAX_SEGMENTS
        if result.size and result.size.segments > limit:
            values = {
                "segments": result.size.segments,
                "encoding": result.size.encoding,
                "units": result.size.units,
                "max": limit,
            }
            if not unaccented and result.size.encoding == "UCS-2":
                message = _(
                    "On the sample dossier this SMS takes %(segments)s segments "
                    "(%(encoding)s, %(units)s characters); at most %(max)s are allowed. "
                    "Shorten the text, or send it without diacritics."
                )
            else:
                message = _(
                    "On the sample dossier this SMS takes %(segments)s segments "
                    "(%(encoding)s, %(units)s characters); at most %(max)s are allowed. "
                    "Shorten the text."
                )
            raise ValidationError({"body": message % values})
    return result
