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
    ``issued_date``, ``issued_by``, ``unit``; the letter's ``number`` ("02/XL-UBND":
    its rank among the issuing unit's letters of the year, and the unit's short
    name), ``subject`` (the "V/v" line) and ``recipients``.
``register`` (form 01)
    ``book`` (the year of receipt: one book a year) and ``serial`` (the dossier's
    rank among those the one-stop unit received that year), as on form 07.
``last_handover``
    ``handed_by``, ``received_by`` of the latest row of ``control_rows`` (form 06's
    signature boxes).
``reason``, ``missing`` (rows ``no``, ``name``, ``reason``), ``officer``
    from the dossier event that produced the form (supplement request, refusal,
    stop) or from ``extra``.
``today`` (``date``, ``day``, ``month``, ``year``), ``place``, ``lookup_url``.

Anything passed in ``extra`` is added on top (and overrides the above).
Form 07 (register) instead gets ``unit``, ``start_date``, ``end_date``, ``rows``
(each with ``sets``, the number of sets: a dossier is one set, and ``received_by``,
the official who received it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from egov.core.formatting import format_amount, format_date, format_number, format_time, local
from egov.core.models import Unit
from egov.dossiers.form_defaults import REGISTER_FORM_CODE, default_form
from egov.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierEvent,
    FormTemplate,
    Status,
)

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


class FormRenderError(Exception):
    """A form template that does not compile or cannot be laid out as a PDF."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- formatting (the printed forms' own words) ----------------------------------


def format_time_limit(amount: Decimal | float | int, unit: str) -> str:
    word = "giờ làm việc" if unit == "working_hours" else "ngày làm việc"
    return f"{format_number(amount)} {word}"


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


def unit_fields(unit: Unit | None) -> dict[str, str]:
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


def place_name() -> str:
    return str(getattr(settings, "EGOV_FORMS_PLACE_NAME", DEFAULT_PLACE))


def today_fields(day: dt.date) -> dict[str, str]:
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
    if local(at).date() < local(due).date():
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


def load_dossier(dossier: Dossier) -> Dossier:
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
    return form_context(code, load_dossier(dossier), extra)


def form_context(code: str, dossier: Dossier, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    version = dossier.procedure_version
    papers = [
        _paper_row(no, paper.name, paper.copies, paper.form, paper.received)
        for no, paper in enumerate(dossier.papers.filter(is_result=False, is_draft=False), start=1)
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
        issued_day = local(apology.issued_at).date()
    elif form_event is not None:
        issued_day = local(form_event.at).date()
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
        "agency": unit_fields(dossier.receiving_agency),
        "unit": unit_fields(dossier.receiving_unit),
        "current_unit": unit_fields(dossier.current_unit),
        "papers": papers,
        "received_papers": received_papers,
        "missing_papers": missing_papers,
        "events": control_rows,
        "control_rows": control_rows,
        "apology": _apology_dict(apology, dossier),
        "register": register_reference(dossier),
        "last_handover": _last_handover(control_rows),
        "reason": (form_event.note if form_event else "") or str(event_data.get("reason", "")),
        "missing": missing,
        "officer": _person(form_event.actor) if form_event else "",
        "today": today_fields(timezone.localdate()),
        "issued_on": today_fields(issued_day),
        "place": place_name(),
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


BLANK = "…………"


def register_reference(dossier: Dossier) -> dict[str, str]:
    """Where the dossier stands in the one-stop unit's register (form 07): the book
    is the year of receipt, the serial its rank among that year's receipts (ties on
    the same instant broken by code, as the register orders them)."""
    if dossier.received_at is None:
        return {"book": BLANK, "serial": BLANK}
    received = local(dossier.received_at)
    year_start = received.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    earlier = (
        Dossier.objects.filter(
            receiving_unit_id=dossier.receiving_unit_id,
            received_at__gte=year_start,
        )
        .filter(
            Q(received_at__lt=dossier.received_at)
            | Q(received_at=dossier.received_at, code__lt=dossier.code)
        )
        .count()
    )
    return {"book": str(received.year), "serial": f"{earlier + 1:04d}"}


def _last_handover(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    if not rows:
        return {"handed_by": "", "received_by": ""}
    return {"handed_by": str(rows[-1]["handed_by"]), "received_by": str(rows[-1]["received_by"])}


def _letter_number(apology: ApologyLetter) -> str:
    """The letter's number and symbol: its rank among the letters its unit issued
    that year, and the unit's short name ("02/XL-UBND")."""
    issued = local(apology.issued_at)
    year_start = issued.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    rank = (
        ApologyLetter.objects.filter(
            issuing_unit_id=apology.issuing_unit_id, issued_at__gte=year_start
        )
        .filter(
            Q(issued_at__lt=apology.issued_at) | Q(issued_at=apology.issued_at, pk__lte=apology.pk)
        )
        .count()
    )
    short = apology.issuing_unit.short_name or apology.issuing_unit.code
    return f"{rank:02d}/XL-{short}"


def apology_subject(code: str) -> str:
    return f"V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ {code}"


def _apology_dict(apology: ApologyLetter | None, dossier: Dossier) -> dict[str, Any]:
    recipients = ["Như trên", dossier.receiving_unit.name]
    if apology is None:
        blank = BLANK
        return {
            "reason": blank,
            "previous_due_date": blank,
            "previous_due_time": blank,
            "new_due_date": blank,
            "new_due_time": blank,
            "issued_date": blank,
            "issued_by": "",
            "unit": blank,
            "number": f"{blank}/{blank}",
            "subject": apology_subject(dossier.code),
            "recipients": recipients,
        }
    return {
        "number": _letter_number(apology),
        "subject": apology_subject(dossier.code),
        "recipients": recipients,
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
            "today": today_fields(received.date()),
            "issued_on": today_fields(received.date()),
            "place": place_name(),
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
            "number": "02/XL-UBND",
            "subject": apology_subject(SAMPLE_CODE),
            "recipients": ["Như trên", unit["name"]],
        },
        "register": {"book": "2026", "serial": "0001"},
        "last_handover": _last_handover(rows),
        "reason": "Thiếu văn bản ủy quyền có chứng thực.",
        "missing": _missing_rows([{"name": "Văn bản ủy quyền", "reason": "Chưa có chứng thực"}]),
        "officer": "Trần Thị Mai",
        "today": today_fields(received.date()),
        "issued_on": today_fields(received.date()),
        "place": place_name(),
        "lookup_url": public_lookup_url(SAMPLE_CODE),
    }


def _sample_register_row(no: int) -> dict[str, Any]:
    return {
        "no": no,
        "code": SAMPLE_CODE,
        "procedure_name": "Đăng ký khai sinh",
        "sets": "01",
        "applicant": "Hồ Văn Đức; 12 Nguyễn Trung Trực, Rạch Giá; 0912 345 678",
        "handling_agency": "UBND thành phố Rạch Giá",
        "received_by": "Trần Thị Mai",
        "received_date": "15/01/2026",
        "due_date": "22/01/2026",
        "resolved_date": "21/01/2026",
        "returned_date": "22/01/2026",
        "status": STATUS_NAMES_VI[10],
        "note": "",
    }


# --- the operator's template ---------------------------------------------------------


def form_template(code: str) -> tuple[str, str]:
    """(title, body) of form ``code``: the operator's version, else the shipped one."""
    row = FormTemplate.objects.filter(code=code).values_list("title", "body").first()
    if row is not None:
        return row[0], row[1]
    shipped = default_form(code)
    return shipped.title, shipped.body
