"""The three-box date (ngày/tháng/năm) and the money and date formats."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms

from egov.core.date_parts import DatePartsField, DatePartsWidget
from egov.core.formatting import format_amount
from egov.core.templatetags.egov_format import ddmmyyyy, money


class BirthForm(forms.Form):
    born = DatePartsField(label="Ngày sinh")
    optional = DatePartsField(label="Ngày cấp", required=False)


def _post(day: str, month: str, year: str, **extra: str) -> dict[str, str]:
    return {"born_0": day, "born_1": month, "born_2": year, **extra}


def test_a_valid_date_in_three_boxes() -> None:
    form = BirthForm(_post("5", "9", "1990"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == dt.date(1990, 9, 5)
    assert form.cleaned_data["optional"] is None


def test_31_february_does_not_exist() -> None:
    form = BirthForm(_post("31", "02", "2026"))
    assert not form.is_valid()
    assert form.errors.as_data()["born"][0].code == "no_such_day"
    assert "31/02/2026" in form.errors["born"][0]
    # The page shown again keeps what was typed.
    html = str(form["born"])
    assert 'value="31"' in html and 'value="02"' in html and 'value="2026"' in html


def test_empty_missing_part_letters_and_short_year() -> None:
    empty = BirthForm(_post("", "", ""))
    assert not empty.is_valid() and empty.errors["born"][0]
    assert BirthForm({}).is_valid() is False
    incomplete = BirthForm(_post("5", "", "1990"))
    assert not incomplete.is_valid()
    assert incomplete.errors.as_data()["born"][0].code == "incomplete"
    letters = BirthForm(_post("a", "9", "1990"))
    assert letters.errors.as_data()["born"][0].code == "invalid"
    short = BirthForm(_post("5", "9", "90"))
    assert short.errors.as_data()["born"][0].code == "year"
    optional_half = BirthForm(_post("5", "9", "1990", optional_2="2020"))
    assert optional_half.errors.as_data()["optional"][0].code == "incomplete"


def test_the_widget_three_labelled_numeric_boxes_in_a_fieldset() -> None:
    form = BirthForm(initial={"born": dt.date(2026, 2, 20)})
    html = form["born"].as_field_group()
    assert html.count('inputmode="numeric"') == 3
    assert re.search(r"<fieldset.*<legend[^>]*>Ngày sinh", html, re.S)
    for index, value in enumerate(("20", "02", "2026")):
        assert f'name="born_{index}"' in html
        assert f'for="id_born_{index}"' in html
        assert f'value="{value}"' in html
    # A stored ISO answer (declarations keep dates as text) is shown the same way.
    assert DatePartsWidget().decompress("2026-02-20") == ["20", "02", "2026"]


def test_one_plain_value_still_works_when_the_three_boxes_are_absent() -> None:
    """Links and scripts pass ``?start=2025-01-01`` or ``deadline=31/01/2026``."""
    widget = DatePartsWidget()
    assert widget.value_from_datadict({"born": "2025-01-01"}, {}, "born") == "2025-01-01"
    assert widget.value_omitted_from_data({"born": "2025-01-01"}, {}, "born") is False
    assert widget.value_omitted_from_data({}, {}, "born") is True
    iso = BirthForm({"born": "2025-01-01"})
    assert iso.is_valid(), iso.errors
    assert iso.cleaned_data["born"] == dt.date(2025, 1, 1)
    typed = BirthForm({"born": "31/01/2026", "optional": " 2026-01-31 "})
    assert typed.is_valid(), typed.errors
    assert typed.cleaned_data["born"] == dt.date(2026, 1, 31)
    assert typed.cleaned_data["optional"] == dt.date(2026, 1, 31)
    # The three boxes win over the plain value when both are sent.
    both = BirthForm(_post("2", "3", "2024", born="2025-01-01"))
    assert both.is_valid() and both.cleaned_data["born"] == dt.date(2024, 3, 2)
    # An ISO value that is no real date is named as people read it.
    wrong = BirthForm({"born": "2026-13-01"})
    assert wrong.errors.as_data()["born"][0].code == "no_such_day"
    assert "01/13/2026" in wrong.errors["born"][0]
    assert BirthForm({"born": "soon"}).errors.as_data()["born"][0].code == "incomplete"
    # Shown again, the plain value fills the three boxes.
    html = str(BirthForm({"born": "2025-01-01"})["born"])
    assert 'value="01"' in html and 'value="2025"' in html


def test_money_and_dates_as_people_read_them() -> None:
    assert format_amount(75000) == "75.000 đ"
    assert format_amount(Decimal("50000.00")) == "50.000 đ"
    assert format_amount(None) == "0 đ"
    assert money(1_250_000) == "1.250.000 đ"
    assert ddmmyyyy("2026-02-20") == "20/02/2026"
    assert ddmmyyyy(dt.date(1990, 9, 5)) == "05/09/1990"
    assert ddmmyyyy("not a date") == "not a date"
    assert ddmmyyyy(None) == ""
