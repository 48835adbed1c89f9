"""The statistics as an Excel workbook (openpyxl): the page's table, in Vietnamese.

The file is a report sent up the administrative line, so its headings are always
in Vietnamese whatever language the person uses on screen; figures are numbers
(shares as percentages), with a totals row, so the recipient can compute with them.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.dossiers.stats.figures import REPORT_COLUMNS, Counts, StatsResult, report_columns

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def group_heading(result: StatsResult) -> str:
    return {
        "agency": _("Agency or unit"),
        "field": _("Procedure field"),
        "procedure": _("Procedure"),
    }.get(result.group_by or "", _("Scope"))


def filename(result: StatsResult) -> str:
    """``thong-ke-ho-so_<unit code>_<start>_<end>.xlsx`` (ASCII only)."""
    return f"thong-ke-ho-so_{result.unit.code}_{result.start:%Y%m%d}_{result.end:%Y%m%d}.xlsx"


def _value(counts: Counts, key: str) -> Any:
    return getattr(counts, key)


def build_workbook(result: StatsResult) -> bytes:
    """The workbook, as bytes."""
    with translation.override("vi"):
        return _build(result)


def _build(result: StatsResult) -> bytes:
    # openpyxl loads with the first export, not in every worker.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    thin = Side(style="thin", color="8A8F98")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Statistics")[:31]
    columns = report_columns()
    width = len(columns) + 1

    sheet.append([_("Receipt and resolution of administrative dossiers")])
    sheet["A1"].font = title_font
    sheet.append(
        [_("Unit: %(name)s (%(code)s)") % {"name": result.unit.name, "code": result.unit.code}]
    )
    sheet.append(
        [
            _("Period: from %(start)s to %(end)s")
            % {"start": f"{result.start:%d/%m/%Y}", "end": f"{result.end:%d/%m/%Y}"}
        ]
    )
    filters = []
    if result.field is not None:
        filters.append(_("field: %(name)s") % {"name": result.field.name})
    if result.procedure is not None:
        filters.append(_("procedure: %(code)s") % {"code": result.procedure.national_code})
    sheet.append([_("Filters: %(filters)s") % {"filters": "; ".join(filters) or _("none")}])
    sheet.append(
        [
            _("In progress counted at %(moment)s")
            % {"moment": f"{timezone.localtime(result.as_of):%H:%M %d/%m/%Y}"}
        ]
    )
    sheet.append([])

    # Two heading rows: the groups, then the columns; single columns span both.
    top = sheet.max_row + 1
    sheet.cell(row=top, column=1, value=group_heading(result))
    sheet.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    column = 2
    for group in REPORT_COLUMNS:
        span = len(group.columns)
        if group.label is None:
            sheet.cell(row=top, column=column, value=str(group.columns[0].label))
            sheet.merge_cells(
                start_row=top, start_column=column, end_row=top + 1, end_column=column
            )
        else:
            sheet.cell(row=top, column=column, value=str(group.label))
            if span > 1:
                sheet.merge_cells(
                    start_row=top, start_column=column, end_row=top, end_column=column + span - 1
                )
            for offset, item in enumerate(group.columns):
                sheet.cell(row=top + 1, column=column + offset, value=str(item.label))
        column += span
    for row in sheet.iter_rows(min_row=top, max_row=top + 1, max_col=width):
        for cell in row:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = wrap
            cell.border = box

    lines: list[tuple[str, Counts]] = []
    for stats_row in result.rows:
        name = stats_row.name
        if stats_row.is_self:
            name = _("%(name)s (received directly)") % {"name": name}
        lines.append((f"{name} ({stats_row.key})", stats_row.counts))
    if not lines:
        lines.append((result.unit.name, result.totals))
    for label, counts in [*lines, (_("All together"), result.totals)]:
        sheet.append([label, *(_value(counts, item.key) for item in columns)])
        for index, item in enumerate(columns, start=2):
            cell = sheet.cell(row=sheet.max_row, column=index)
            cell.border = box
            if item.is_share:
                cell.number_format = "0.0%"
            else:
                cell.number_format = "#,##0"
        sheet.cell(row=sheet.max_row, column=1).border = box
    for cell in sheet[sheet.max_row]:
        cell.font = bold

    sheet.append([])
    sheet.append(
        [_("Satisfaction ratings: not collected yet (the public-service portal will add them).")]
    )
    sheet.freeze_panes = sheet.cell(row=top + 2, column=2)
    sheet.column_dimensions["A"].width = 48
    for index in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.row_dimensions[top + 1].height = 45

    notes = book.create_sheet(_("Definitions")[:31])
    for line in definitions():
        notes.append([line])
    notes.column_dimensions["A"].width = 120

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def definitions() -> list[str]:
    """How each figure is counted (the second sheet, and the page's notes)."""
    return [
        _("Carried over: received before the start and still open at the start."),
        _("New: received in the period, by channel (desk, online, post)."),
        _(
            "Resolved: result ready in the period. Early: before the due day; on time: on "
            "the due day, not after the appointment; late: after the appointment, or given "
            "an apology letter with a new appointment."
        ),
        _(
            "In progress: received and neither resolved nor closed at the end of the period "
            "(or now, if the period has not ended). Overdue: appointment passed while the "
            "clock was running; a dossier waiting for the applicant is not yet due."
        ),
        _(
            "Returned, withdrawn, refused, stopped: dossiers that reached that status in the "
            "period."
        ),
        _("Received online (%): new online dossiers out of all new ones."),
        _("Resolved in time (%): early and on time out of all resolved."),
    ]
