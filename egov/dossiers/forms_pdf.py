"""The one-stop forms 01–07 as A4 PDFs (fpdf2, vendored Be Vietnam Pro font).

The layout around a form is code: national heading ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA
VIỆT NAM / Độc lập - Tự do - Hạnh phúc"), the issuing agency, place and date,
form number, title, dossier code, and a QR code pointing to the public lookup
(``<EGOV_PUBLIC_BASE_URL>/tra-cuu/?ma=<code>``). The text in between is the
operator-editable :class:`~egov.dossiers.models.FormTemplate` body: a Django
template rendered to the HTML subset fpdf2's ``write_html`` understands.

Printed forms are official Vietnamese documents, so their fixed wording is
Vietnamese whatever the language of the person printing them (not gettext).

Template variables (all values are already-formatted text, so an edited template
can never reach the database or a model's other fields):

``dossier``
    ``code``, ``procedure_name``, ``procedure_code``, ``field_name``, ``channel``,
    ``status``, ``status_code``, ``time_limit`` ("15 ngày làm việc"), ``fee``
    ("1.000.000 đồng"), ``fee_amount`` (integer đồng), ``result_type``,
    ``paper_count``, and for each moment ``submitted``, ``received``, ``due``,
    ``original_due``, ``resolved``, ``returned``: ``<moment>_date`` (dd/mm/yyyy)
    and ``<moment>_time`` (HH:MM), empty when not reached.
``applicant``
    ``name``, ``id_number``, ``address``, ``phone``, ``email``.
``agency``, ``unit`` (the one-stop unit that received it), ``current_unit``
    ``name``, ``code``, ``address``, ``phone``, ``email``.
``papers``, ``received_papers``, ``missing_papers``
    rows with ``no``, ``name``, ``copies``, ``form`` (Bản chính…), ``received``.
``events``, ``control_rows`` (the same rows)
    ``no``, ``date``, ``time``, ``status``, ``from_unit``, ``to_unit``, ``units``,
    ``handed_by``, ``received_by``, ``result`` (Trước hạn / Đúng hạn / Quá hạn,
    against the deadline of the step handed over), ``note``.
``apology`` (form 04; latest apology letter)
    ``reason``, ``previous_due_date/time``, ``new_due_date/time``,
    ``issued_date``, ``issued_by``, ``unit``.
``reason``, ``missing`` (rows ``no``, ``name``, ``reason``), ``officer``
    from the dossier event that produced the form (supplement request, refusal,
    stop) or from ``extra``.
``today`` (``date``, ``day``, ``month``, ``year``), ``place``, ``lookup_url``.

Anything passed in ``extra`` is added on top (and overrides the above).
Form 07 (register) instead gets ``unit``, ``start_date``, ``end_date``, ``rows``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import qrcode
from django.conf import settings
from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import TextStyle
from fpdf.html import HTML2FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from egov.core.models import Unit
from egov.core.selectors.units import parent_of
from egov.dossiers.form_defaults import (
    DOSSIER_FORM_CODES,
    REGISTER_FORM_CODE,
    default_form,
)
from egov.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierEvent,
    FormTemplate,
    Status,
)

# fontTools logs every font subset at INFO (hundreds of lines per PDF); keep the
# platform's INFO log readable unless someone configured that logger on purpose.
_subset_logger = logging.getLogger("fontTools.subset")
if _subset_logger.level == logging.NOTSET:
    _subset_logger.setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "BeVietnamPro"
_FONT_FILES = {
    "": "BeVietnamPro-Regular.ttf",
    "B": "BeVietnamPro-Bold.ttf",
    "I": "BeVietnamPro-Italic.ttf",
    "BI": "BeVietnamPro-BoldItalic.ttf",
}

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_PLACE = "Kiên Giang"

#: Status names as the national portal's status table has them (domain brief);
#: the printed form is Vietnamese whatever the language of the page.
STATUS_NAMES_VI: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
CHANNEL_NAMES_VI: dict[int, str] = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
PAPER_FORM_NAMES_VI: dict[str, str] = {
    "original": "Bản chính",
    "certified_copy": "Bản sao chứng thực",
    "photocopy": "Bản chụp",
}

#: The dossier status whose event produced each form (reason, officer, date).
FORM_EVENT_STATUS: dict[str, int] = {
    "01": Status.RECEIVED,
    "02": Status.SUPPLEMENT_REQUESTED,
    "03": Status.REFUSED,
    "05": Status.STOPPED,
}

QR_SIZE_MM = 28.0


class FormRenderError(Exception):
    """A form template that does not compile or cannot be laid out as a PDF."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- formatting -----------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def format_date(value: dt.datetime | dt.date | None) -> str:
    """``dd/mm/yyyy`` in the province's time zone; empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
    return value.strftime("%d/%m/%Y")


def format_time(value: dt.datetime | None) -> str:
    """``HH:MM`` in the province's time zone; empty for ``None``."""
    return "" if value is None else _local(value).strftime("%H:%M")


def format_amount(amount: int | None) -> str:
    """``1.000.000 đồng``: Vietnamese groups thousands with dots."""
    return f"{int(amount or 0):,}".replace(",", ".") + " đồng"


def _format_number(value: Decimal | float | int) -> str:
    """``5``, ``0,5``: no trailing zeros, decimal comma."""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return text.replace(".", ",")


def format_time_limit(amount: Decimal | float | int, unit: str) -> str:
    word = "giờ làm việc" if unit == "working_hours" else "ngày làm việc"
    return f"{_format_number(amount)} {word}"


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or user.get_username())


def _moments(**moments: dt.datetime | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, moment in moments.items():
        values[f"{name}_date"] = format_date(moment)
        values[f"{name}_time"] = format_time(moment)
    return values


def _unit_dict(unit: Unit | None) -> dict[str, str]:
    if unit is None:
        return {"name": "", "code": "", "address": "", "phone": "", "email": ""}
    return {
        "name": unit.name,
        "code": unit.code,
        "address": unit.address,
        "phone": unit.phone,
        "email": unit.email,
    }


def public_lookup_url(code: str) -> str:
    """Where the QR code points: the public lookup page for ``code``."""
    base = str(getattr(settings, "EGOV_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL)).rstrip("/")
    return f"{base}{reverse('dossiers_public:lookup')}?{urlencode({'ma': code})}"


def _place() -> str:
    return str(getattr(settings, "EGOV_FORMS_PLACE_NAME", DEFAULT_PLACE))


def _today_dict(day: dt.date) -> dict[str, str]:
    return {
        "date": day.strftime("%d/%m/%Y"),
        "day": day.strftime("%d"),
        "month": day.strftime("%m"),
        "year": str(day.year),
    }


# --- rows shared by real dossiers and the sample used to validate templates -------


def _paper_row(no: int, name: str, copies: int, form: str, received: bool) -> dict[str, Any]:
    return {
        "no": no,
        "name": name,
        "copies": copies,
        "form": PAPER_FORM_NAMES_VI.get(form, form),
        "received": received,
    }


def _step_result(at: dt.datetime, due: dt.datetime | None) -> str:
    """Early / on time / late against the deadline of the step handed over."""
    if due is None:
        return ""
    if at > due:
        return "Quá hạn"
    if _local(at).date() < _local(due).date():
        return "Trước hạn"
    return "Đúng hạn"


def _control_row(
    no: int,
    at: dt.datetime,
    *,
    status: int,
    from_unit: str,
    to_unit: str,
    handed_by: str,
    received_by: str,
    previous_due: dt.datetime | None,
    note: str,
) -> dict[str, Any]:
    units = ". ".join(
        part
        for part in (
            f"Giao: {from_unit}" if from_unit else "",
            f"Nhận: {to_unit}" if to_unit else "",
        )
        if part
    )
    return {
        "no": no,
        "date": format_date(at),
        "time": format_time(at),
        "status": STATUS_NAMES_VI.get(status, str(status)),
        "from_unit": from_unit,
        "to_unit": to_unit,
        "units": units,
        "handed_by": handed_by,
        "received_by": received_by,
        "result": _step_result(at, previous_due),
        "note": note,
    }


def _missing_reason(item: Mapping[str, Any]) -> str:
    """Why a paper is asked for: the services' reason codes in words, or free text."""
    reason = str(item.get("reason", "") or "")
    if reason == "missing":
        return "Chưa nộp"
    if reason == "wrong_form":
        wanted = PAPER_FORM_NAMES_VI.get(str(item.get("form_required", "")), "")
        return f"Chưa đúng hình thức{f', cần {wanted.lower()}' if wanted else ''}"
    if reason == "not_enough_copies":
        given, required = item.get("copies_given", 0), item.get("copies_required", 0)
        return f"Chưa đủ số lượng: đã nộp {given}/{required} bản"
    return reason


def _missing_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows of form 02 from strings (asked in words) or mappings with ``name`` and
    ``reason`` (a reason code of the services, or free text)."""
    rows = []
    for no, item in enumerate(items, start=1):
        if isinstance(item, Mapping):
            rows.append(
                {"no": no, "name": str(item.get("name", "")), "reason": _missing_reason(item)}
            )
        else:
            rows.append({"no": no, "name": str(item), "reason": ""})
    return rows


# --- context of one dossier ---------------------------------------------------------


def _form_event(events: Sequence[DossierEvent], code: str) -> DossierEvent | None:
    status = FORM_EVENT_STATUS.get(code)
    if status is None:
        return None
    for event in reversed(events):
        if event.to_status == status:
            return event
    return None


def _load(dossier: Dossier) -> Dossier:
    """A fresh copy with what the forms show (the caller's object may be stale)."""
    return Dossier.objects.select_related(
        "procedure_version__procedure",
        "procedure_version__field",
        "receiving_agency",
        "receiving_unit",
        "current_unit",
    ).get(pk=dossier.pk)


def dossier_context(
    code: str, dossier: Dossier, *, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Everything form ``code`` may show about ``dossier``, as formatted text."""
    return _context(code, _load(dossier), extra)


def _context(code: str, dossier: Dossier, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    version = dossier.procedure_version
    papers = [
        _paper_row(no, paper.name, paper.copies, paper.form, paper.received)
        for no, paper in enumerate(dossier.papers.filter(is_result=False), start=1)
    ]
    events = list(
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("from_unit", "to_unit", "actor", "to_user")
        .order_by("at", "id")
    )
    control_rows = []
    previous_due: dt.datetime | None = None
    for no, event in enumerate(events, start=1):
        control_rows.append(
            _control_row(
                no,
                event.at,
                status=event.to_status,
                from_unit=event.from_unit.name if event.from_unit else "",
                to_unit=event.to_unit.name if event.to_unit else "",
                handed_by=_person(event.actor),
                received_by=_person(event.to_user),
                previous_due=previous_due,
                note=event.note,
            )
        )
        previous_due = event.step_due_at
    apology = (
        ApologyLetter.objects.filter(dossier=dossier)
        .select_related("issued_by", "issuing_unit")
        .order_by("-issued_at", "-id")
        .first()
    )
    form_event = _form_event(events, code)
    event_data = form_event.data if form_event is not None and form_event.data else {}

    received_papers = [row for row in papers if row["received"]]
    missing_papers = [row for row in papers if not row["received"]]
    # Papers the procedure requires but were absent, then what the officer asked for
    # in words (see dossiers.services); else the papers recorded as not received.
    asked = [*(event_data.get("missing") or []), *(event_data.get("asked") or [])]
    if asked:
        missing = _missing_rows(asked)
    else:
        missing = _missing_rows({"name": row["name"]} for row in missing_papers)

    # The date a form carries is when its act happened (receipt, refusal…), not
    # when it is reprinted.
    if code == "04" and apology is not None:
        issued_day = _local(apology.issued_at).date()
    elif form_event is not None:
        issued_day = _local(form_event.at).date()
    else:
        issued_day = timezone.localdate()

    context: dict[str, Any] = {
        "dossier": {
            "code": dossier.code,
            "procedure_name": version.name,
            "procedure_code": version.procedure.national_code,
            "field_name": version.field.name,
            "channel": CHANNEL_NAMES_VI.get(dossier.channel, str(dossier.channel)),
            "status": STATUS_NAMES_VI.get(dossier.status, str(dossier.status)),
            "status_code": dossier.status,
            "time_limit": format_time_limit(version.time_limit, version.time_limit_unit),
            "fee": format_amount(dossier.fee_amount),
            "fee_amount": dossier.fee_amount,
            "result_type": version.result_type,
            "paper_count": len(received_papers),
            **_moments(
                submitted=dossier.submitted_at,
                received=dossier.received_at,
                due=dossier.due_at,
                original_due=dossier.original_due_at,
                resolved=dossier.resolved_at,
                returned=dossier.returned_at,
            ),
        },
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "agency": _unit_dict(dossier.receiving_agency),
        "unit": _unit_dict(dossier.receiving_unit),
        "current_unit": _unit_dict(dossier.current_unit),
        "papers": papers,
        "received_papers": received_papers,
        "missing_papers": missing_papers,
        "events": control_rows,
        "control_rows": control_rows,
        "apology": _apology_dict(apology),
        "reason": (form_event.note if form_event else "") or str(event_data.get("reason", "")),
        "missing": missing,
        "officer": _person(form_event.actor) if form_event else "",
        "today": _today_dict(timezone.localdate()),
        "issued_on": _today_dict(issued_day),
        "place": _place(),
        "lookup_url": public_lookup_url(dossier.code),
    }
    if extra:
        context.update(extra)
        if "missing" in extra and not _is_rows(extra["missing"]):
            context["missing"] = _missing_rows(extra["missing"])
    return context


def _is_rows(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, Mapping) and "no" in item for item in value
    )


def _apology_dict(apology: ApologyLetter | None) -> dict[str, str]:
    if apology is None:
        blank = "…………"
        return {
            "reason": blank,
            "previous_due_date": blank,
            "previous_due_time": blank,
            "new_due_date": blank,
            "new_due_time": blank,
            "issued_date": blank,
            "issued_by": "",
            "unit": blank,
        }
    return {
        "reason": apology.reason,
        "previous_due_date": format_date(apology.previous_due_at),
        "previous_due_time": format_time(apology.previous_due_at),
        "new_due_date": format_date(apology.new_due_at),
        "new_due_time": format_time(apology.new_due_at),
        "issued_date": format_date(apology.issued_at),
        "issued_by": _person(apology.issued_by),
        "unit": apology.issuing_unit.name,
    }


# --- the sample dossier (validating an edited template without touching data) -----


SAMPLE_CODE = "000.00.31.H33-260115-0001"


def sample_context(code: str) -> dict[str, Any]:
    """A plausible, entirely fictitious context for form ``code`` with every variable
    filled, used to check an edited template before it is saved."""
    tz = timezone.get_current_timezone()
    received = dt.datetime(2026, 1, 15, 8, 30, tzinfo=tz)
    due = dt.datetime(2026, 1, 22, 16, 30, tzinfo=tz)
    handed = dt.datetime(2026, 1, 16, 9, 0, tzinfo=tz)
    if code == REGISTER_FORM_CODE:
        return {
            "unit": {"name": "Bộ phận Một cửa UBND thành phố Rạch Giá", "code": "000.00.31.H33"},
            "start_date": "01/01/2026",
            "end_date": "31/01/2026",
            "rows": [_sample_register_row(1)],
            "today": _today_dict(received.date()),
            "issued_on": _today_dict(received.date()),
            "place": _place(),
        }
    papers = [
        _paper_row(1, "Tờ khai đăng ký khai sinh", 1, "original", True),
        _paper_row(2, "Giấy chứng sinh", 1, "certified_copy", True),
        _paper_row(3, "Văn bản ủy quyền", 1, "photocopy", False),
    ]
    rows = [
        _control_row(
            1,
            received,
            status=Status.RECEIVED,
            from_unit="",
            to_unit="Bộ phận Một cửa",
            handed_by="Hồ Văn Đức",
            received_by="Trần Thị Mai",
            previous_due=None,
            note="",
        ),
        _control_row(
            2,
            handed,
            status=Status.PROCESSING,
            from_unit="Bộ phận Một cửa",
            to_unit="Phòng Tư pháp",
            handed_by="Trần Thị Mai",
            received_by="Lê Văn Hùng",
            previous_due=due,
            note="Chuyển xử lý",
        ),
    ]
    unit = {
        "name": "Bộ phận Một cửa UBND thành phố Rạch Giá",
        "code": "000.00.31.H33",
        "address": "01 Lê Lợi, phường Vĩnh Thanh Vân",
        "phone": "0297 3862 000",
        "email": "motcua@rachgia.kiengiang.gov.vn",
    }
    return {
        "dossier": {
            "code": SAMPLE_CODE,
            "procedure_name": "Đăng ký khai sinh",
            "procedure_code": "1.001193",
            "field_name": "Hộ tịch",
            "channel": CHANNEL_NAMES_VI[1],
            "status": STATUS_NAMES_VI[2],
            "status_code": 2,
            "time_limit": format_time_limit(Decimal("5.00"), "working_days"),
            "fee": format_amount(1_000_000),
            "fee_amount": 1_000_000,
            "result_type": "Giấy khai sinh",
            "paper_count": 2,
            **_moments(
                submitted=received,
                received=received,
                due=due,
                original_due=due,
                resolved=due,
                returned=due,
            ),
        },
        "applicant": {
            "name": "Hồ Văn Đức",
            "id_number": "091090001234",
            "address": "12 Nguyễn Trung Trực, phường Vĩnh Bảo, thành phố Rạch Giá",
            "phone": "0912 345 678",
            "email": "hovanduc@example.vn",
        },
        "agency": {**unit, "name": "UBND thành phố Rạch Giá"},
        "unit": unit,
        "current_unit": {**unit, "name": "Phòng Tư pháp"},
        "papers": papers,
        "received_papers": papers[:2],
        "missing_papers": papers[2:],
        "events": rows,
        "control_rows": rows,
        "apology": {
            "reason": "Cần xác minh thêm thông tin với cơ quan khác.",
            "previous_due_date": format_date(due),
            "previous_due_time": format_time(due),
            "new_due_date": "29/01/2026",
            "new_due_time": "16:30",
            "issued_date": "21/01/2026",
            "issued_by": "Nguyễn Văn Bình",
            "unit": "UBND thành phố Rạch Giá",
        },
        "reason": "Thiếu văn bản ủy quyền có chứng thực.",
        "missing": _missing_rows([{"name": "Văn bản ủy quyền", "reason": "Chưa có chứng thực"}]),
        "officer": "Trần Thị Mai",
        "today": _today_dict(received.date()),
        "issued_on": _today_dict(received.date()),
        "place": _place(),
        "lookup_url": public_lookup_url(SAMPLE_CODE),
    }


def _sample_register_row(no: int) -> dict[str, Any]:
    return {
        "no": no,
        "code": SAMPLE_CODE,
        "procedure_name": "Đăng ký khai sinh",
        "applicant": "Hồ Văn Đức; 12 Nguyễn Trung Trực, Rạch Giá; 0912 345 678",
        "handling_agency": "UBND thành phố Rạch Giá",
        "received_date": "15/01/2026",
        "due_date": "22/01/2026",
        "resolved_date": "21/01/2026",
        "returned_date": "22/01/2026",
        "status": STATUS_NAMES_VI[10],
        "note": "",
    }


# --- templates ------------------------------------------------------------------------

#: Marks a variable the template names but the context lacks (only while validating).
INVALID_MARKER = "\x00INVALID:%s\x00"


@cache
def _engine(strict: bool) -> Engine:
    # No template loaders: an edited form cannot {% include %} or {% extends %} files
    # of the platform. Autoescape: data is escaped into the HTML fpdf2 parses.
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", {})],
        autoescape=True,
        string_if_invalid=INVALID_MARKER if strict else "",
    )


def render_body(body: str, context: Mapping[str, Any], *, strict: bool = False) -> str:
    """The template ``body`` rendered with ``context`` to HTML (NFC-normalised).

    ``strict`` refuses variables the context does not have (used when validating an
    operator's edit on the sample context, which has all of them).
    """
    try:
        template = _engine(strict).from_string(body)
    except TemplateSyntaxError as error:
        raise FormRenderError(
            _("The template has a syntax error: %(error)s") % {"error": error}
        ) from error
    try:
        html = template.render(Context(dict(context)))
    except Exception as error:  # a filter failing on a value, a bad tag argument…
        raise FormRenderError(
            _("The template cannot be filled in: %(error)s") % {"error": error}
        ) from error
    if strict and "\x00INVALID:" in html:
        name = html.split("\x00INVALID:", 1)[1].split("\x00", 1)[0]
        raise FormRenderError(
            _("The template uses an unknown variable: %(name)s") % {"name": name or "?"}
        )
    # Decomposed input (e.g. typed on some phones) would print accents beside the letters.
    return unicodedata.normalize("NFC", html)


# --- the PDF --------------------------------------------------------------------------


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` as rows of modules (``True`` = dark), no quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def draw_qr(pdf: FPDF, x: float, y: float, size: float, matrix: Sequence[Sequence[bool]]) -> int:
    """Draw ``matrix`` as filled vector squares in a ``size``-mm square at (x, y);
    returns the number of dark modules drawn. Vector squares stay sharp when printed
    and need no image library or service."""
    count = len(matrix)
    module = size / count
    drawn = 0
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row_index, row in enumerate(matrix):
            for column_index, dark in enumerate(row):
                if dark:
                    pdf.rect(x + column_index * module, y + row_index * module, module, module, "F")
                    drawn += 1
    return drawn


class _FormHTML(HTML2FPDF):
    """fpdf2's HTML layout with table cells left-aligned by default (its default,
    justified, spreads short cells like "Bản sao chứng thực" across the column)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td" and not any(name == "align" for name, _value in attrs):
            row_align = (self.tr or {}).get("align")
            attrs = [*attrs, ("align", row_align or "left")]
        super().handle_starttag(tag, attrs)


class FormPDF(FPDF):
    """A4 page with the platform's font and a footer carrying the dossier code."""

    HTML2FPDF_CLASS = _FormHTML

    def __init__(self, *, landscape: bool = False, footer_code: str = "") -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.footer_code = footer_code
        for style, filename in _FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, str(FONT_DIR / filename))
        # Symmetric margins: fpdf2 centres tables on the page, so with a wider left
        # margin (as Nghị định 30/2020 asks for bound documents) they would stick out.
        side = 20 if not landscape else 12
        self.set_margins(left=side, top=15, right=side)
        self.set_auto_page_break(True, margin=15)
        self.set_lang("vi")
        self.set_creator("egov")
        self.set_font(FONT_FAMILY, "", 12)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, "", 8)
        parts = [f"Mã hồ sơ: {self.footer_code}"] if self.footer_code else []
        parts.append(f"Trang {self.page_no()}/{{nb}}")
        self.cell(0, 5, " · ".join(parts), align="R")


def _heading(
    pdf: FormPDF,
    *,
    superior: str,
    issuer: str,
    form_code: str,
    place_date: str,
) -> None:
    pdf.set_font(FONT_FAMILY, "I", 9)
    pdf.cell(0, 4, f"Mẫu số {form_code}", align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    left_width = pdf.epw * 0.42
    right_x = pdf.l_margin + left_width
    right_width = pdf.epw - left_width

    pdf.set_xy(pdf.l_margin, top)
    if superior:
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(left_width, 5, superior.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(left_width, 5, issuer.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    middle = pdf.l_margin + left_width / 2
    pdf.line(middle - 12, left_bottom + 1, middle + 12, left_bottom + 1)

    pdf.set_xy(right_x, top)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(
        right_width, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_font(FONT_FAMILY, "B", 12)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.multi_cell(right_width, 6, motto, align="C", new_x="LEFT", new_y="NEXT")
    motto_width = pdf.get_string_width(motto)
    centre = right_x + right_width / 2
    pdf.line(
        centre - motto_width / 2, pdf.get_y() + 0.5, centre + motto_width / 2, pdf.get_y() + 0.5
    )
    pdf.ln(2)
    pdf.set_x(right_x)
    pdf.set_font(FONT_FAMILY, "I", 11)
    pdf.multi_cell(right_width, 5, place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), left_bottom + 2) + 4)


def _title(pdf: FormPDF, title: str, subtitle: str) -> None:
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(0, 7, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _tag_styles(size: float) -> dict[str, TextStyle]:
    black = "#000000"
    return {
        "h1": TextStyle(FONT_FAMILY, "B", size + 3, black, t_margin=3, b_margin=1),
        "h2": TextStyle(FONT_FAMILY, "B", size + 2, black, t_margin=3, b_margin=1),
        "h3": TextStyle(FONT_FAMILY, "B", size + 1, black, t_margin=2, b_margin=1),
        "blockquote": TextStyle(FONT_FAMILY, color=black, t_margin=2, b_margin=2),
    }


def _refuse_images(src: str) -> str:
    # An operator's template must not make the server fetch URLs or read files.
    raise FormRenderError(_("Images are not allowed in form templates."))


def _write_body(pdf: FormPDF, html: str, size: float) -> None:
    pdf.set_font(FONT_FAMILY, "", size)
    try:
        pdf.write_html(
            html,
            font_family=FONT_FAMILY,
            tag_styles=_tag_styles(size),
            image_map=_refuse_images,
            warn_on_tags_not_matching=False,
        )
    except FormRenderError:
        raise
    except Exception as error:  # fpdf2 refuses HTML it cannot lay out
        raise FormRenderError(
            _(
                "The form cannot be laid out as a PDF: %(error)s. Use only p, b, i, br, "
                "h1–h3 and tables whose cells hold plain text."
            )
            % {"error": error}
        ) from error


def _qr_block(pdf: FormPDF, code: str, url: str) -> int:
    pdf.ln(4)
    if pdf.will_page_break(QR_SIZE_MM + 2):
        pdf.add_page()
    top = pdf.get_y()
    drawn = draw_qr(pdf, pdf.l_margin, top, QR_SIZE_MM, qr_matrix(url))
    text_x = pdf.l_margin + QR_SIZE_MM + 5
    pdf.set_xy(text_x, top + 2)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 6, f"Mã hồ sơ: {code}", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(
        0,
        5,
        "Tra cứu tình trạng giải quyết hồ sơ: quét mã QR hoặc truy cập",
        new_x="LEFT",
        new_y="NEXT",
    )
    pdf.multi_cell(0, 5, url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE_MM) + 2)
    return drawn


def _place_date(context: Mapping[str, Any]) -> str:
    day = context.get("issued_on") or context.get("today") or {}
    place = context.get("place") or _place()
    dd, mm, yyyy = (day.get(key, "…") for key in ("day", "month", "year"))
    return f"{place}, ngày {dd} tháng {mm} năm {yyyy}"


def build_pdf(
    *,
    form_code: str,
    title: str,
    body: str,
    context: Mapping[str, Any],
    superior: str,
    issuer: str,
    dossier_code: str = "",
    lookup_url: str = "",
    landscape: bool = False,
    font_size: float = 11,
    strict: bool = False,
) -> bytes:
    """Lay out one form: heading, title, the rendered ``body``, then the QR block
    when ``dossier_code`` is given."""
    html = render_body(body, context, strict=strict)
    pdf = FormPDF(landscape=landscape, footer_code=dossier_code)
    pdf.set_title(title)
    pdf.set_author(issuer)
    pdf.add_page()
    _heading(
        pdf,
        superior=superior,
        issuer=issuer,
        form_code=form_code,
        place_date=_place_date(context),
    )
    subtitle = f"Mã hồ sơ: {dossier_code}" if dossier_code else ""
    _title(pdf, title, subtitle)
    _write_body(pdf, html, font_size)
    if dossier_code:
        _qr_block(pdf, dossier_code, lookup_url or public_lookup_url(dossier_code))
    return bytes(pdf.output())


def _template(code: str) -> tuple[str, str]:
    """(title, body) of form ``code``: the operator's version, else the shipped one."""
    row = FormTemplate.objects.filter(code=code).values_list("title", "body").first()
    if row is not None:
        return row[0], row[1]
    shipped = default_form(code)
    return shipped.title, shipped.body


def _issuer_units(code: str, dossier: Dossier) -> tuple[str, str]:
    """(superior, issuer) names for the heading: the one-stop unit issues the desk
    forms 01–03, the agency the others; the superior is the issuer's parent."""
    issuer: Unit = (
        dossier.receiving_unit if code in ("01", "02", "03") else dossier.receiving_agency
    )
    parent = parent_of(issuer)
    return (parent.name if parent is not None else ""), issuer.name


def render_form(code: str, dossier: Dossier, *, extra: dict[str, Any] | None = None) -> bytes:
    """Form ``code`` (01–06) of ``dossier`` as an A4 PDF.

    ``extra`` adds or overrides template variables (e.g. ``reason``, ``missing``,
    ``officer`` when the caller knows them better than the dossier's history).
    Raises :class:`FormRenderError` if the stored template cannot be rendered.
    """
    if code not in DOSSIER_FORM_CODES:
        raise ValueError(f"form {code!r} is not a per-dossier form (07 is render_register)")
    title, body = _template(code)
    dossier = _load(dossier)
    context = _context(code, dossier, extra)
    superior, issuer = _issuer_units(code, dossier)
    return build_pdf(
        form_code=code,
        title=title,
        body=body,
        context=context,
        superior=superior,
        issuer=issuer,
        dossier_code=dossier.code,
        lookup_url=context["lookup_url"],
    )


def render_sample(code: str, title: str, body: str, *, strict: bool = True) -> bytes:
    """``body`` rendered on the fictitious sample dossier (validation and preview)."""
    context = sample_context(code)
    if code == REGISTER_FORM_CODE:
        return build_pdf(
            form_code=code,
            title=title,
            body=body,
            context=context,
            superior="UBND thành phố Rạch Giá",
            issuer=context["unit"]["name"],
            landscape=True,
            font_size=8,
            strict=strict,
        )
    return build_pdf(
        form_code=code,
        title=title,
        body=body,
        context=context,
        superior="UBND tỉnh Kiên Giang",
        issuer=context["unit"]["name"],
        dossier_code=SAMPLE_CODE,
        lookup_url=context["lookup_url"],
        strict=strict,
    )


# --- form 07: the register ------------------------------------------------------------


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def register_dossiers(unit: Unit, start: dt.date, end: dt.date) -> Any:
    """Dossiers received by ``unit`` (as one-stop unit or as agency) from ``start`` to
    ``end`` inclusive, in order of receipt."""
    since, until = _day_bounds(start, end)
    return (
        Dossier.objects.filter(Q(receiving_unit=unit) | Q(receiving_agency=unit))
        .filter(received_at__gte=since, received_at__lt=until)
        .select_related("procedure_version", "receiving_agency")
        .order_by("received_at", "code")
    )


def _register_note(dossier: Dossier, now: dt.datetime) -> str:
    if dossier.due_at is None:
        return ""
    finished = dossier.resolved_at or dossier.closed_at
    if finished is not None:
        return "Trễ hạn" if finished > dossier.due_at else ""
    return "Quá hạn" if now > dossier.due_at else ""


def register_rows(unit: Unit, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The lines of the register (form 07): one per dossier, formatted."""
    now = timezone.now()
    rows = []
    for no, dossier in enumerate(register_dossiers(unit, start, end), start=1):
        contact = "; ".join(
            part
            for part in (dossier.applicant_name, dossier.applicant_address, dossier.applicant_phone)
            if part
        )
        rows.append(
            {
                "no": no,
                "code": dossier.code,
                "procedure_name": dossier.procedure_version.name,
                "applicant": contact,
                "handling_agency": dossier.receiving_agency.name,
                "received_date": format_date(dossier.received_at),
                "due_date": format_date(dossier.due_at),
                "resolved_date": format_date(dossier.resolved_at),
                "returned_date": format_date(dossier.returned_at),
                "status": STATUS_NAMES_VI.get(dossier.status, str(dossier.status)),
                "note": _register_note(dossier, now),
            }
        )
    return rows


def register_context(unit: Unit, start: dt.date, end: dt.date) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "unit": _unit_dict(unit),
        "start_date": start.strftime("%d/%m/%Y"),
        "end_date": end.strftime("%d/%m/%Y"),
        "rows": register_rows(unit, start, end),
        "today": _today_dict(today),
        "issued_on": _today_dict(today),
        "place": _place(),
    }


def render_register(unit: Unit, start: dt.date, end: dt.date) -> bytes:
    """Form 07 (Sổ theo dõi hồ sơ) of ``unit`` for the period, as an A4 landscape PDF."""
    title, body = _template(REGISTER_FORM_CODE)
    parent = parent_of(unit)
    return build_pdf(
        form_code=REGISTER_FORM_CODE,
        title=title,
        body=body,
        context=register_context(unit, start, end),
        superior=parent.name if parent is not None else "",
        issuer=unit.name,
        landscape=True,
        font_size=8,
    )


REGISTER_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("no", "STT", 6),
    ("code", "Mã hồ sơ", 26),
    ("procedure_name", "Tên thủ tục hành chính", 40),
    ("applicant", "Tổ chức, cá nhân nộp hồ sơ (địa chỉ, điện thoại)", 40),
    ("handling_agency", "Cơ quan chủ trì giải quyết", 28),
    ("received_date", "Nhận hồ sơ", 12),
    ("due_date", "Hẹn trả kết quả", 12),
    ("resolved_date", "Có kết quả", 12),
    ("returned_date", "Trả kết quả", 12),
    ("status", "Tình trạng", 20),
    ("note", "Ghi chú", 14),
)


def register_xlsx(unit: Unit, start: dt.date, end: dt.date) -> bytes:
    """Form 07 of ``unit`` for the period as an Excel workbook."""
    title, _body = _template(REGISTER_FORM_CODE)
    rows = register_rows(unit, start, end)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "So theo doi ho so"
    sheet.append([title.upper()])
    sheet.append([f"Đơn vị: {unit.name}"])
    sheet.append([f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}. Tổng số: {len(rows)} hồ sơ."])
    sheet.append([])
    sheet.append([label for _key, label, _width in REGISTER_COLUMNS])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    for row in rows:
        sheet.append([row[key] for key, _label, _width in REGISTER_COLUMNS])
        for cell in sheet[sheet.max_row]:
            # Text typed by applicants must never become a spreadsheet formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (_key, _label, width) in enumerate(REGISTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
