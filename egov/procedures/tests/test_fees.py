"""The fee rule language: validation messages name the path, amounts are exact."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from egov.procedures import fees

CERTIFIED_COPY: dict[str, Any] = {
    "name": "Phí chứng thực bản sao từ bản chính",
    "rule": {
        "input": "pages",
        "unit": "trang",
        "tiers": [{"up_to": 2, "per_unit": 2000}, {"per_unit": 1000}],
        "max": 200000,
        "times": "copies",
    },
}
RECORD: dict[str, Any] = {
    "name": "Phí lý lịch tư pháp",
    "rule": {
        "input": "applicant",
        "table": {"thong_thuong": 200000, "sinh_vien": 100000, "mien": 0},
        "default": "thong_thuong",
    },
}


def paths(items: Any) -> list[str]:
    return [problem.path for problem in fees.check_fees(items)]


def test_fixed_amounts_add_up() -> None:
    items = [{"name": "Lệ phí", "amount": 50000}, {"name": "Phí công bố", "amount": 100000}]
    assert fees.check_fees(items) == []
    assert fees.compute(items) == 150000


@pytest.mark.parametrize(
    ("pages", "copies", "expected"),
    [
        (1, 1, 2000),
        (2, 1, 4000),
        (3, 1, 5000),
        (10, 1, 12000),
        (500, 1, 200000),  # capped per copy (TT 226/2016/TT-BTC)
        (3, 2, 10000),
        (0, 1, 0),
    ],
)
def test_tiered_rule_with_cap_and_multiplier(pages: int, copies: int, expected: int) -> None:
    assert fees.check_fees([CERTIFIED_COPY]) == []
    assert fees.compute([CERTIFIED_COPY], {"pages": pages, "copies": copies}) == expected


def test_defaults_apply_when_inputs_are_missing_and_unknown_inputs_are_ignored() -> None:
    assert fees.compute([CERTIFIED_COPY]) == 2000  # one page, one copy
    assert fees.compute([CERTIFIED_COPY], {"something_else": 7}) == 2000
    per_unit = {"name": "Bản sao trích lục", "rule": {"input": "copies", "per_unit": 8000}}
    assert fees.compute([per_unit], {"copies": "3"}) == 24000


def test_table_rule_uses_the_choice_or_the_default() -> None:
    assert fees.check_fees([RECORD]) == []
    assert fees.compute([RECORD]) == 200000
    assert fees.compute([RECORD], {"applicant": "sinh_vien"}) == 100000
    with pytest.raises(ValidationError, match="khong_co"):
        fees.compute([RECORD], {"applicant": "khong_co"})


@pytest.mark.parametrize("bad", [-1, "2", True, None])
def test_bad_quantities_are_refused_with_the_input_name(bad: Any) -> None:
    if bad is None:
        assert fees.compute([CERTIFIED_COPY], {"pages": bad}) == 2000  # None = not given
        return
    if bad == "2":
        assert fees.compute([CERTIFIED_COPY], {"pages": bad}) == 4000  # text from a form
        return
    with translation.override("en"), pytest.raises(ValidationError, match="pages"):
        fees.compute([CERTIFIED_COPY], {"pages": bad})


def test_every_mistake_is_reported_with_its_path() -> None:
    items = [
        {"name": "", "amount": -5},
        {"name": "Hai cách", "amount": 1, "rule": {"input": "x", "per_unit": 1}},
        {"name": "Số lẻ", "amount": 1000.5},
        {
            "name": "Bậc sai",
            "rule": {
                "input": "Pages",
                "tiers": [{"up_to": 5, "per_unit": 1}, {"up_to": 3, "per_unit": 1}, {"up_to": 9}],
                "colour": "red",
            },
        },
        {"name": "Bảng", "rule": {"input": "kind", "table": {"a": 1}, "default": "b"}},
        "not an object",
    ]
    found = paths(items)
    assert "[0].name" in found
    assert "[0].amount" in found
    assert "[1]" in found  # both amount and rule
    assert "[2].amount" in found
    assert "[3].rule.input" in found
    assert "[3].rule.colour" in found
    assert "[3].rule.tiers[1].up_to" in found  # not above the previous bound
    assert "[3].rule.tiers[2].up_to" in found  # the last tier is open-ended
    assert "[3].rule.tiers[2].per_unit" in found
    assert "[4].rule.default" in found
    assert "[5]" in found


def test_an_input_cannot_be_both_a_quantity_and_a_choice() -> None:
    items = [
        {"name": "A", "rule": {"input": "kind", "per_unit": 1}},
        {"name": "B", "rule": {"input": "kind", "table": {"a": 1}, "default": "a"}},
    ]
    assert paths(items) == ["[1].rule.input"]


def test_validate_fees_raises_readable_messages() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        fees.validate_fees([{"name": "Lệ phí", "amount": "50000"}])
    assert caught.value.messages == ["fees[0].amount: Must be a whole number of đồng, 0 or more."]
    assert fees.validate_fees([]) == []
    with pytest.raises(ValidationError):
        fees.validate_fees({"name": "not a list"})


def test_inputs_are_declared_for_forms() -> None:
    declared = fees.fee_inputs([CERTIFIED_COPY, RECORD])
    assert [(item.name, item.is_choice) for item in declared] == [
        ("pages", False),
        ("copies", False),
        ("applicant", True),
    ]
    assert declared[0].unit == "trang"
    assert declared[2].default == "thong_thuong"


def test_descriptions_in_words() -> None:
    with translation.override("vi"):
        assert fees.format_dong(200000) == "200.000 đ"
    with translation.override("en"):
        assert fees.describe({"name": "x", "amount": 0}) == "Free of charge"
        assert fees.describe({"name": "x", "amount": 50000}) == "50,000 đ"
        text = fees.describe(CERTIFIED_COPY)
        assert text == (
            "2,000 đ/trang for the first 2 trang; 1,000 đ/trang from trang 3 on; "
            "at most 200,000 đ (per copies)"
        )
        assert fees.describe(RECORD) == ("thong_thuong: 200,000 đ; sinh_vien: 100,000 đ; mien: 0 đ")
