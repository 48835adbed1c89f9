"""A repeated unit name is followed by its district wherever units are chosen."""

from __future__ import annotations

import pytest
from django import forms

from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.core.unit_choice import UnitChoiceField, distinguishing_labels, place_name

pytestmark = pytest.mark.django_db


def _tree() -> dict[str, Unit]:
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    chau_thanh = create_unit(
        None, province, code="000.00.40.H33", name="UBND huyện Châu Thành", level="district"
    )
    kien_luong = create_unit(
        None,
        province,
        code="000.00.34.H33",
        name="Ủy ban nhân dân huyện Kiên Lương",
        level="district",
    )
    return {
        "a": create_unit(
            None, chau_thanh, code="001.00.40.H33", name="UBND xã Bình An", level="commune"
        ),
        "b": create_unit(
            None, kien_luong, code="001.00.34.H33", name="UBND xã Bình An", level="commune"
        ),
        "c": create_unit(
            None, kien_luong, code="002.00.34.H33", name="UBND xã Bình Trị", level="commune"
        ),
        "district": chau_thanh,
    }


def test_repeated_names_carry_their_district() -> None:
    units = _tree()
    labels = distinguishing_labels([units["a"], units["b"], units["c"], units["district"]])
    assert labels[units["a"].pk] == "UBND xã Bình An (huyện Châu Thành)"
    assert labels[units["b"].pk] == "UBND xã Bình An (huyện Kiên Lương)"
    assert labels[units["c"].pk] == "UBND xã Bình Trị"  # unique: left alone
    assert labels[units["district"].pk] == "UBND huyện Châu Thành"
    # One of them alone in a list is not repeated there.
    assert distinguishing_labels([units["a"]]) == {units["a"].pk: "UBND xã Bình An"}
    assert place_name("Ủy ban nhân dân thành phố Rạch Giá") == "thành phố Rạch Giá"


def test_the_form_field_shows_the_labels() -> None:
    units = _tree()

    class Pick(forms.Form):
        agency = UnitChoiceField(queryset=Unit.objects.none())

    form = Pick()
    form.fields["agency"].queryset = Unit.objects.filter(level="commune")  # type: ignore[attr-defined]
    html = str(form["agency"])
    assert "UBND xã Bình An (huyện Châu Thành)" in html
    assert "UBND xã Bình An (huyện Kiên Lương)" in html
    assert ">UBND xã Bình Trị<" in html
    form.fields["agency"].queryset = Unit.objects.filter(pk=units["a"].pk)  # type: ignore[attr-defined]
    assert "(huyện" not in str(form["agency"])  # labels follow a new list
