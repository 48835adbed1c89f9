"""The error summary: which forms a page's summary covers, what each line says and
where it leads, and the page it draws ("Lỗi: " title, box first in <main>)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from egov.core.form_errors import ErrorItem, forms_of, page_errors, target_id


class Person(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="Họ tên", error_messages={"required": "Nhập họ tên"})
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")],
        widget=forms.RadioSelect,
        error_messages={"required": "Chọn loại"},
    )
    born = forms.SplitDateTimeField(
        required=False, error_messages={"invalid_date": "Ngày sinh không đúng"}
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("name") == "trùng":
            raise forms.ValidationError("Người này đã có hồ sơ")
        return cleaned


def test_each_field_error_links_to_the_input_a_person_types_in() -> None:
    form = Person(data={"version": "1", "born_0": "31/02/2026", "born_1": "10:00"})
    assert page_errors({"form": form}) == [
        ErrorItem("Nhập họ tên", "id_name"),
        ErrorItem("Chọn loại", "id_kind_0"),  # a radio group: its first choice
        ErrorItem("Ngày sinh không đúng", "id_born_0"),  # a multi-part input: its first part
    ]


def test_an_error_on_a_hidden_input_leads_to_the_form_first_input() -> None:
    form = Person(data={"name": "An", "kind": "a"})  # the hidden version is missing
    [item] = page_errors({"form": form})
    assert item.target == "id_name" and item.message


def test_errors_about_the_whole_form_lead_to_its_first_input_and_come_first() -> None:
    form = Person(data={"version": "1", "name": "trùng", "kind": "a"})
    assert page_errors({"form": form}) == [ErrorItem("Người này đã có hồ sơ", "id_name")]


def test_an_unsent_or_correct_form_has_no_summary() -> None:
    assert page_errors({"form": Person()}) == []
    assert page_errors({"form": Person(data={"version": "1", "name": "An", "kind": "b"})}) == []


def test_forms_are_found_in_the_context_and_one_level_down_once_each() -> None:
    top = Person(data={})
    nested = Person(data={}, prefix="p")
    deep = Person(data={}, prefix="d")
    context = {
        "form": top,
        "again": top,
        "panels": [{"form": nested, "label": "x"}],
        "rows": [[{"form": deep}]],  # deeper than one level down: not searched
    }
    assert forms_of(context) == [top, nested]
    # A view may name the forms itself.
    assert forms_of({**context, "error_forms": [nested]}) == [nested]


def test_formsets_list_their_own_errors_then_each_form() -> None:
    formset_class = forms.formset_factory(Person, extra=0, min_num=1, validate_min=True)
    formset = formset_class(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-version": "1"}
    )
    items = page_errors({"formset": formset})
    assert ErrorItem("Nhập họ tên", "id_form-0-name") in items
    assert ErrorItem("Chọn loại", "id_form-0-kind_0") in items


def test_target_of_a_plain_input() -> None:
    assert target_id(Person()["name"]) == "id_name"
    assert target_id(Person()["version"]) == ""


@pytest.mark.django_db
def test_a_page_with_errors_says_so_in_its_title_and_first_in_main(client: Client) -> None:
    page = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "<title>Lỗi" not in page and 'id="error-summary"' not in page
    page = client.post("/tai-khoan/dang-nhap/", {}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "<title>Lỗi: Đăng nhập" in page
    main = page.split('<main id="main" tabindex="-1">', 1)[1].lstrip()
    assert main.startswith('<div class="error-summary" id="error-summary"')
    assert "Có lỗi cần sửa" in main
    assert '<a href="#id_username">Nhập tên đăng nhập' in main
    assert '<a href="#id_password">Nhập mật khẩu.</a>' in main
    # The field repeats its message next to the input, linked to it for screen readers.
    assert 'aria-describedby="id_password_error"' in main or 'id="id_password_error"' in main
