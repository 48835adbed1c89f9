"""The applicant step says what is wrong with the identity number typed."""

from __future__ import annotations

import pytest
from django.utils import translation

from egov.submissions.forms import ApplicantForm

BASE = {"draft_version": 1, "name": "Lâm Thị Cúc", "address": "Rạch Giá", "phone": "0987654321"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "Số định danh cá nhân (CCCD) gồm 12 chữ số; bạn đã nhập 5 chữ số"),
        ("0910 9000 123", "Số định danh cá nhân (CCCD) gồm 12 chữ số; bạn đã nhập 11 chữ số"),
        ("abc", "Hãy nhập số căn cước công dân (CCCD, 12 chữ số) hoặc mã số thuế"),
    ],
)
def test_a_wrong_id_number_is_told_how_it_is_wrong(typed: str, message: str) -> None:
    with translation.override("vi"):
        form = ApplicantForm(data={**BASE, "id_number": typed})
        assert not form.is_valid()
        assert str(form.errors["id_number"][0]).startswith(message)


@pytest.mark.parametrize("typed", ["091090001234", "0123456789", "0123456789-001"])
def test_a_cccd_or_a_tax_code_is_accepted(typed: str) -> None:
    form = ApplicantForm(data={**BASE, "id_number": typed})
    assert form.is_valid(), form.errors
