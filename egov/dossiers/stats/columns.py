"""The columns of the statistics report: the page's table and the Excel file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # a figure of :class:`Counts`
    label: Any  # lazy translation
    is_share: bool = False


@dataclass(frozen=True, slots=True)
class ColumnGroup:
    label: Any  # None: a single column without a group heading
    columns: tuple[Column, ...]


REPORT_COLUMNS: tuple[ColumnGroup, ...] = (
    ColumnGroup(
        _("Dossiers received"),
        (
            Column("received", _("Total")),
            Column("carried_over", _("Carried over")),
            Column("new", _("New in the period")),
            Column("new_online", _("of which online")),
            Column("new_desk", _("at the desk")),
            Column("new_post", _("by post")),
        ),
    ),
    ColumnGroup(
        _("Resolved in the period"),
        (
            Column("resolved", _("Total")),
            Column("resolved_early", _("Early")),
            Column("resolved_on_time", _("On time")),
            Column("resolved_late", _("Late")),
        ),
    ),
    ColumnGroup(
        _("In progress at the end"),
        (
            Column("in_progress", _("Total")),
            Column("in_progress_not_due", _("Not yet due")),
            Column("in_progress_overdue", _("Overdue")),
        ),
    ),
    ColumnGroup(None, (Column("returned", _("Results returned")),)),
    ColumnGroup(None, (Column("withdrawn", _("Withdrawn")),)),
    ColumnGroup(None, (Column("refused", _("Refused")),)),
    ColumnGroup(None, (Column("stopped", _("Stopped")),)),
    ColumnGroup(None, (Column("online_share", _("Received online (%)"), is_share=True),)),
    ColumnGroup(None, (Column("on_time_share", _("Resolved in time (%)"), is_share=True),)),
)


def report_columns() -> list[Column]:
    return [column for group in REPORT_COLUMNS for column in group.columns]
