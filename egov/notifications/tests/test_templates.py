"""Templates as data: validation when saved, rendering, the shipped defaults."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.accounts.models import User
from egov.core.models import AuditEntry
from egov.dossiers.tests.factories import World
from egov.notifications.defaults import DEFAULT_TEMPLATES
from egov.notifications.models import Event, NotificationTemplate
from egov.notifications.rendering import check_template, render, sample_context
from egov.notifications.services import save_template

pytestmark = pytest.mark.django_db


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_default_templates_exist_for_every_event_and_channel_and_validate() -> None:
    stored = {(t.event, t.channel): t for t in NotificationTemplate.objects.filter(language="vi")}
    assert set(stored) == set(DEFAULT_TEMPLATES)
    assert {event for event, _channel in stored} == set(Event.values)
    for template in stored.values():
        assert template.is_active
        template.full_clean()  # model validation = the same checks as the editor


def test_receipt_sms_reads_like_a_real_one() -> None:
    template = NotificationTemplate.objects.get(event="receive", channel="sms", language="vi")
    assert template.unaccented
    context = {**sample_context(), "agency": "UBND Thành phố Rạch Giá"}
    message = render(
        channel="sms",
        subject="",
        body=template.body,
        unaccented=True,
        context=context,
    )
    assert message.body.startswith(
        "UBND Thanh pho Rach Gia da tiep nhan ho so so 000.00.33.H33-260302-0001"
    )
    assert "Hen tra ket qua ngay 09/03/2026. Tra cuu: http" in message.body
    assert message.body.endswith("/tra-cuu/?ma=000.00.33.H33-260302-0001")
    assert message.size is not None and message.size.encoding == "GSM-7"


def test_email_keeps_vietnamese_diacritics_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    message = render(
        channel="email",
        subject="Hồ sơ {{ code }} đã có kết quả",
        body="Kính gửi ông/bà {{ applicant }}. Phí: {{ amount }}.",
        unaccented=False,
        context={**sample_context(), "applicant": decomposed},
    )
    assert message.subject == "Hồ sơ 000.00.33.H33-260302-0001 đã có kết quả"
    assert message.body == "Kính gửi ông/bà Nguyễn Thị Hồng Nhung. Phí: 1.250.000 đ."
    assert unicodedata.is_normalized("NFC", message.body)


def test_a_syntax_error_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as exc:
        check_template(
            channel="email", subject="Hồ sơ {{ code|khong_co }}", body="ok", unaccented=False
        )
    assert list(errors_of(exc)) == ["subject"]
    with pytest.raises(ValidationError) as exc:
        check_template(channel="sms", subject="", body="{% if code %}x", unaccented=False)
    assert list(errors_of(exc)) == ["body"]


def test_an_unknown_variable_is_refused_with_the_list_of_known_ones() -> None:
    with pytest.raises(ValidationError) as exc:
        check_template(channel="sms", subject="", body="Hồ sơ {{ ma_ho_so }}", unaccented=True)
    message = errors_of(exc)["body"][0]
    assert "ma_ho_so" in message
    assert "lookup_url" in message


def test_tags_reaching_outside_the_context_are_refused() -> None:
    for body in ("{% load static %}x", "{% include 'base.html' %}", "{% debug %}"):
        with pytest.raises(ValidationError) as exc:
            check_template(channel="sms", subject="", body=body, unaccented=True)
        assert "body" in errors_of(exc)


def test_email_needs_a_subject_and_sms_a_text() -> None:
    with pytest.raises(ValidationError) as exc:
        check_template(channel="email", subject=" ", body="", unaccented=False)
    assert set(errors_of(exc)) == {"subject", "body"}


def test_an_sms_over_three_segments_is_refused_and_unaccented_is_suggested() -> None:
    # With diacritics: UCS-2, 67 characters per segment; the sample's long
    # procedure name, agency and URL take it past 3 segments.
    body = (
        "{{ agency }} đã tiếp nhận hồ sơ số {{ code }} ({{ procedure }}). "
        "Hẹn trả kết quả ngày {{ appointment }}. Tra cứu: {{ lookup_url }}"
    )
    with pytest.raises(ValidationError) as exc:
        check_template(channel="sms", subject="", body=body, unaccented=False)
    message = errors_of(exc)["body"][0]
    assert "UCS-2" in message
    assert "diacritics" in message or "dấu" in message
    # The same text without diacritics fits.
    result = check_template(channel="sms", subject="", body=body, unaccented=True)
    assert result.size is not None
    assert result.size.encoding == "GSM-7"
    assert result.size.segments <= 3
    assert "đã tiếp nhận" in result.accented


def test_save_template_needs_an_operator_and_is_audited(world: World, operator: User) -> None:
    fields: dict[str, Any] = {
        "event": "result_ready",
        "channel": "sms",
        "language": "vi",
        "subject": "",
        "body": "Hồ sơ {{ code }} đã có kết quả. Tra cứu: {{ lookup_url }}",
        "unaccented": True,
        "is_active": True,
    }
    with pytest.raises(PermissionDenied):
        save_template(world.staff.clerk, **fields)
    saved = save_template(operator, **fields)
    assert saved.body == fields["body"]
    assert saved.updated_by == operator
    entry = AuditEntry.objects.filter(action="notifications.template_saved").latest("id")
    assert entry.object_id == str(saved.pk)
    assert "body" in entry.changes


def test_a_refused_template_leaves_the_stored_one_unchanged(world: World, operator: User) -> None:
    before = NotificationTemplate.objects.get(event="stop", channel="email", language="vi").body
    with pytest.raises(ValidationError):
        save_template(
            operator,
            event="stop",
            channel="email",
            language="vi",
            subject="Dừng {{ code }}",
            body="{% for %}",
            unaccented=False,
            is_active=True,
        )
    after = NotificationTemplate.objects.get(event="stop", channel="email", language="vi").body
    assert after == before


def test_apology_email_names_form_04_by_its_tt_03_2025_title() -> None:
    """Form 04 is the "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    (TT 03/2025/TT-VPCP); the TT 01/2018 "phiếu/thư … hẹn lại ngày" title is gone."""
    subject = DEFAULT_TEMPLATES[("apology", "email")]["subject"]
    assert subject.startswith("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    for template in DEFAULT_TEMPLATES.values():
        text = f"{template.get('subject', '')} {template['body']}"
        assert "hẹn lại ngày trả kết quả" not in text
        assert "Phiếu xin lỗi" not in text
