"""Every period has a name of its own (issue 15: two periods never share a label)."""

from __future__ import annotations

from itertools import combinations

from django.utils import translation

from egov.core import periods


def _all_periods(year: int) -> list[periods.Period]:
    found = [periods.calendar_year(year), periods.cutoff_year(year)]
    for half in (1, 2):
        found += [periods.calendar_half(year, half), periods.cutoff_half(year, half)]
    for quarter in range(1, 5):
        found += [periods.calendar_quarter(year, quarter), periods.cutoff_quarter(year, quarter)]
    for month in range(1, 13):
        found += [periods.calendar_month(year, month), periods.cutoff_month(year, month)]
    return found


def test_no_two_periods_of_a_year_share_a_label() -> None:
    with translation.override("vi"):
        labels = [p.label for p in _all_periods(2026)]
    clashes = [(a, b) for a, b in combinations(labels, 2) if a == b]
    assert not clashes, clashes


def test_labels_read_as_vietnamese_officials_write_them() -> None:
    with translation.override("vi"):
        assert periods.calendar_half(2026, 1).label == "6 tháng đầu năm 2026"
        assert periods.calendar_half(2026, 2).label == "6 tháng cuối năm 2026"
        assert periods.calendar_year(2026).label == "Năm 2026"
        assert periods.cutoff_month(2026, 3).label == (
            "Tháng 03/2026 (kỳ báo cáo 15/02/2026–14/03/2026)"
        )


def test_the_choice_list_never_offers_two_entries_with_one_name() -> None:
    from datetime import date

    with translation.override("vi"):
        choices = periods.period_choices(date(2026, 12, 7))
    names = [name for _key, name in choices]
    assert len(names) == len(set(names))
