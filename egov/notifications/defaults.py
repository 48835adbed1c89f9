"""The notification templates shipped with the platform (Vietnamese).

Loaded by migration ``0002_default_templates`` and by :func:`ensure_default_templates`
(idempotent: a template an operator already has is left as it is). SMS are
written with diacritics and sent unaccented (``unaccented=True``), as
brandname SMS in Vietnam usually are: 153 characters per segment instead of 67.
"""

from __future__ import annotations

from typing import Any

_SIGNATURE = (
    "\n\nĐây là thư tự động từ Hệ thống thông tin giải quyết thủ tục hành chính, "
    "vui lòng không trả lời thư này.\n{{ desk }}"
)


def _email(subject: str, body: str) -> dict[str, str]:
    return {"subject": subject, "body": "Kính gửi ông/bà {{ applicant }},\n\n" + body + _SIGNATURE}


#: (event, channel) → fields. Keys of the context: see egov.notifications.rendering.
DEFAULT_TEMPLATES: dict[tuple[str, str], dict[str, Any]] = {
    ("receive", "sms"): {
        "body": "{{ agency }} đã tiếp nhận hồ sơ số {{ code }} ({{ procedure }}). "
        "Hẹn trả kết quả ngày {{ appointment }}. Tra cứu: {{ lookup_url }}",
    },
    ("receive", "email"): _email(
        "Đã tiếp nhận hồ sơ số {{ code }}",
        "{{ agency }} đã tiếp nhận hồ sơ số {{ code }} của ông/bà về thủ tục "
        "“{{ procedure }}”.\n\n"
        "Ngày hẹn trả kết quả: {{ appointment }}.\n"
        "{% if amount %}Phí, lệ phí: {{ amount }}.\n{% endif %}"
        "\nÔng/bà có thể tra cứu tình trạng hồ sơ tại: {{ lookup_url }}",
    ),
    ("submit_online", "sms"): {
        "body": "{{ agency }} đã nhận hồ sơ trực tuyến số {{ code }} ({{ procedure }}). "
        "Hồ sơ đang chờ kiểm tra, tiếp nhận. Tra cứu: {{ lookup_url }}",
    },
    ("submit_online", "email"): _email(
        "Đã nhận hồ sơ trực tuyến số {{ code }}",
        "Hệ thống đã nhận hồ sơ trực tuyến số {{ code }} của ông/bà về thủ tục "
        "“{{ procedure }}” gửi đến {{ agency }}.\n\n"
        "Cán bộ Bộ phận Một cửa sẽ kiểm tra và tiếp nhận hồ sơ; thời hạn giải quyết "
        "được tính từ lúc hồ sơ được tiếp nhận. Ông/bà sẽ nhận được thông báo khi hồ sơ "
        "được tiếp nhận hoặc cần bổ sung.\n\n"
        "Tra cứu tình trạng hồ sơ: {{ lookup_url }}",
    ),
    ("accept", "sms"): {
        "body": "{{ agency }} đã tiếp nhận hồ sơ trực tuyến số {{ code }} ({{ procedure }}). "
        "Hẹn trả kết quả ngày {{ appointment }}. Tra cứu: {{ lookup_url }}",
    },
    ("accept", "email"): _email(
        "Hồ sơ {{ code }} đã được tiếp nhận",
        "{{ agency }} đã tiếp nhận hồ sơ trực tuyến số {{ code }} về thủ tục "
        "“{{ procedure }}”.\n\n"
        "Ngày hẹn trả kết quả: {{ appointment }}.\n"
        "{% if amount %}Phí, lệ phí: {{ amount }}.\n{% endif %}"
        "\nTra cứu tình trạng hồ sơ: {{ lookup_url }}",
    ),
    ("desk_supplement_request", "sms"): {
        "body": "Hồ sơ số {{ code }} ({{ procedure }}) chưa đầy đủ. "
        "{% if papers %}Cần bổ sung: {{ papers }}. {% endif %}"
        "{% if reason %}{{ reason }}. {% endif %}"
        "Vui lòng mang đến {{ desk }}.",
    },
    ("desk_supplement_request", "email"): _email(
        "Hồ sơ {{ code }} cần bổ sung, hoàn thiện",
        "Hồ sơ số {{ code }} của ông/bà về thủ tục “{{ procedure }}” nộp tại "
        "{{ desk }} chưa đầy đủ theo quy định.\n\n"
        "{% if papers %}Giấy tờ cần bổ sung: {{ papers }}.\n{% endif %}"
        "{% if reason %}Nội dung cần hoàn thiện: {{ reason }}.\n{% endif %}"
        "\nThời hạn giải quyết được tính từ khi hồ sơ đầy đủ được tiếp nhận. "
        "Khi bổ sung, vui lòng mang theo mã hồ sơ {{ code }}.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
    ("request_supplement", "sms"): {
        "body": "Hồ sơ số {{ code }} cần bổ sung, hoàn thiện. "
        "{% if papers %}Giấy tờ: {{ papers }}. {% endif %}"
        "{% if reason %}{{ reason }}. {% endif %}"
        "Chi tiết: {{ lookup_url }}",
    },
    ("request_supplement", "email"): _email(
        "Hồ sơ {{ code }} cần bổ sung, hoàn thiện",
        "Hồ sơ số {{ code }} của ông/bà về thủ tục “{{ procedure }}” cần được bổ "
        "sung, hoàn thiện.\n\n"
        "{% if papers %}Giấy tờ cần bổ sung: {{ papers }}.\n{% endif %}"
        "{% if reason %}Nội dung: {{ reason }}.\n{% endif %}"
        "\nThời gian chờ bổ sung không tính vào thời hạn giải quyết. Ông/bà nộp phần "
        "bổ sung trực tuyến hoặc tại {{ desk }}.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
    ("receive_supplement", "sms"): {
        "body": "Đã nhận phần bổ sung của hồ sơ số {{ code }}. "
        "Hẹn trả kết quả ngày {{ appointment }}. Tra cứu: {{ lookup_url }}",
    },
    ("receive_supplement", "email"): _email(
        "Đã nhận phần bổ sung hồ sơ {{ code }}",
        "{{ agency }} đã nhận phần bổ sung của hồ sơ số {{ code }} về thủ tục "
        "“{{ procedure }}”.\n\n"
        "Ngày hẹn trả kết quả: {{ appointment }}.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
    ("request_payment", "sms"): {
        "body": "Hồ sơ số {{ code }}: đề nghị nộp phí, lệ phí {{ amount }} "
        "để tiếp tục giải quyết. Chi tiết: {{ lookup_url }}",
    },
    ("request_payment", "email"): _email(
        "Hồ sơ {{ code }}: đề nghị thực hiện nghĩa vụ tài chính",
        "Để tiếp tục giải quyết hồ sơ số {{ code }} về thủ tục “{{ procedure }}”, "
        "đề nghị ông/bà nộp phí, lệ phí: {{ amount }}.\n\n"
        "Ông/bà có thể thanh toán trực tuyến hoặc nộp tại {{ desk }}. Thời gian chờ "
        "thanh toán không tính vào thời hạn giải quyết.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
    ("apology", "sms"): {
        "body": "{{ agency }} xin lỗi vì hồ sơ số {{ code }} chưa có kết quả đúng hẹn. "
        "Lý do: {{ reason }}. Hẹn lại ngày {{ appointment }}.",
    },
    ("apology", "email"): _email(
        "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ {{ code }}",
        "{{ agency }} chân thành xin lỗi ông/bà vì hồ sơ số {{ code }} về thủ tục "
        "“{{ procedure }}” chưa được giải quyết đúng thời hạn đã hẹn và đề nghị gia "
        "hạn thời gian giải quyết (mẫu 04, Thông tư 03/2025/TT-VPCP).\n\n"
        "Lý do: {{ reason }}.\n\n"
        "Ngày hẹn trả kết quả mới: {{ appointment }}.\n\n"
        "Mong ông/bà thông cảm. Tra cứu: {{ lookup_url }}",
    ),
    ("result_ready", "sms"): {
        "body": "Hồ sơ số {{ code }} ({{ procedure }}) đã có kết quả. "
        "Mời ông/bà đến {{ desk }} nhận kết quả. Tra cứu: {{ lookup_url }}",
    },
    ("result_ready", "email"): _email(
        "Hồ sơ {{ code }} đã có kết quả",
        "Hồ sơ số {{ code }} của ông/bà về thủ tục “{{ procedure }}” đã được giải "
        "quyết xong.\n\n"
        "Mời ông/bà đến {{ desk }} để nhận kết quả (mang theo giấy tiếp nhận hồ sơ và "
        "hẹn trả kết quả), hoặc nhận qua dịch vụ bưu chính công ích nếu đã đăng ký.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
    ("refuse", "sms"): {
        "body": "Hồ sơ trực tuyến số {{ code }} không được tiếp nhận. "
        "Lý do: {{ reason }}. Chi tiết: {{ lookup_url }}",
    },
    ("refuse", "email"): _email(
        "Hồ sơ {{ code }} không được tiếp nhận",
        "{{ agency }} thông báo hồ sơ trực tuyến số {{ code }} về thủ tục "
        "“{{ procedure }}” không được tiếp nhận.\n\n"
        "Lý do: {{ reason }}.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
    ("refuse_at_desk", "sms"): {
        "body": "Hồ sơ số {{ code }} ({{ procedure }}) không được tiếp nhận. Lý do: {{ reason }}.",
    },
    ("refuse_at_desk", "email"): _email(
        "Hồ sơ {{ code }} không được tiếp nhận",
        "{{ desk }} thông báo hồ sơ số {{ code }} về thủ tục “{{ procedure }}” "
        "không được tiếp nhận.\n\n"
        "Lý do: {{ reason }}.",
    ),
    ("stop", "sms"): {
        "body": "{{ agency }} thông báo dừng giải quyết hồ sơ số {{ code }}. "
        "Lý do: {{ reason }}. Chi tiết: {{ lookup_url }}",
    },
    ("stop", "email"): _email(
        "Thông báo dừng giải quyết hồ sơ {{ code }}",
        "{{ agency }} thông báo dừng giải quyết hồ sơ số {{ code }} về thủ tục "
        "“{{ procedure }}”.\n\n"
        "Lý do: {{ reason }}.\n\n"
        "Tra cứu: {{ lookup_url }}",
    ),
}


def ensure_default_templates(template_model: Any = None) -> int:
    """Create the shipped templates that are missing; return how many were created.

    ``template_model`` is the historical model when called from a migration.
    """
    if template_model is None:
        from egov.notifications.models import NotificationTemplate as template_model
    created = 0
    for (event, channel), fields in DEFAULT_TEMPLATES.items():
        _row, was_created = template_model.objects.get_or_create(
            event=event,
            channel=channel,
            language="vi",
            defaults={
                "subject": fields.get("subject", ""),
                "body": fields["body"],
                "unaccented": channel == "sms",
                "is_active": True,
            },
        )
        created += int(was_created)
    return created
