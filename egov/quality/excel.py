"""The index as an Excel workbook (openpyxl): one row per indicator, in Vietnamese."""

from __future__ import annotations

from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _

from egov.quality.index import IndexResult

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(result: IndexResult) -> str:
    code = result.unit.code if result.unit else "tinh"
    return f"chi-so-766_{code}_{result.start:%Y%m%d}_{result.end:%Y%m%d}.xlsx"


def _group_note(points: object) -> str:
    return _(
        "At most %(points)s points for the whole group; no points rule yet for each indicator."
    ) % {"points": points}


def workbook(result: IndexResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override("vi"):
        book = Workbook()
        sheet = book.active
        sheet.title = "766"
        unit = result.unit.name if result.unit else ""
        sheet.append([_("Service-quality index (766)"), unit])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([_("Period"), f"{result.start:%d/%m/%Y} – {result.end:%d/%m/%Y}"])
        sheet.append([_("Score (%)"), float(result.score) if result.score is not None else None])
        sheet.append([])
        header = [
            _("Indicator"),
            _("Name"),
            _("Numerator"),
            _("Denominator"),
            _("Value (%)"),
            _("Points"),
            _("Maximum points"),
            _("Rule"),
        ]
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for group in result.groups:
            title = [f"{group.number}. {group.title}"]
            if group.published_max_points is not None:
                title.append(_group_note(group.published_max_points))
            sheet.append(title)
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            for row in group.indicators:
                sheet.append(
                    [
                        row.code,
                        row.title,
                        row.numerator,
                        row.denominator,
                        float(row.value) if row.value is not None else "N/A",
                        float(row.points) if row.points is not None else _("no points rule yet"),
                        float(row.max_points) if row.max_points is not None else None,
                        row.rule,
                    ]
                )
        for letter, width in zip("ABCDEFGH", (10, 50, 12, 12, 12, 10, 12, 90), strict=True):
            sheet.column_dimensions[letter].width = width
        out = BytesIO()
        book.save(out)
        return out.getvalue()
