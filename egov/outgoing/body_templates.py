"""Starting texts per document type for drafts written on the page (Nghị định
30/2020, Phụ lục III models): the specialist replaces the bracketed parts."""

from __future__ import annotations

_DECISION = """Căn cứ [văn bản quy định thẩm quyền, chức năng, nhiệm vụ của cơ quan];
Căn cứ [các văn bản pháp lý liên quan];
Theo đề nghị của [người đứng đầu đơn vị tham mưu].
QUYẾT ĐỊNH:
Điều 1. [Nội dung quyết định].
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Điều 3. [Người đứng đầu các cơ quan, đơn vị và cá nhân có liên quan] chịu trách nhiệm \
thi hành Quyết định này."""

_LETTER = """Kính gửi: [tên cơ quan, tổ chức nhận văn bản].
[Nội dung công văn: lý do, yêu cầu, đề nghị].
[Cơ quan] đề nghị [cơ quan nhận] quan tâm, phối hợp thực hiện./."""

_PLAN = """I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích: [ ].
2. Yêu cầu: [ ].
II. NỘI DUNG
[Các nhiệm vụ, thời hạn, đơn vị chủ trì].
III. TỔ CHỨC THỰC HIỆN
[Phân công trách nhiệm, kinh phí, chế độ báo cáo]./."""

_REPORT = """I. TÌNH HÌNH THỰC HIỆN
[Kết quả đạt được, số liệu].
II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN
[ ].
III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI
[ ].
IV. KIẾN NGHỊ, ĐỀ XUẤT
[ ]./."""

_NOTICE = """[Nội dung thông báo: sự việc, quyết định, yêu cầu].
[Cơ quan] thông báo để các cơ quan, đơn vị biết, thực hiện./."""

_INVITATION = """[Cơ quan] trân trọng kính mời: [thành phần].
Tham dự: [nội dung cuộc họp].
Thời gian: [giờ, ngày].
Địa điểm: [ ].
Rất mong quý vị tham dự đúng thời gian./."""

_SUBMISSION = """Kính gửi: [cấp có thẩm quyền].
I. SỰ CẦN THIẾT
[ ].
II. NỘI DUNG ĐỀ NGHỊ
[ ].
[Cơ quan] kính trình [cấp có thẩm quyền] xem xét, quyết định./."""

_DEFAULT = """[Nội dung văn bản]./."""

TEMPLATES: dict[str, str] = {
    "quyet-dinh": _DECISION,
    "nghi-quyet": _DECISION,
    "chi-thi": _DECISION,
    "cong-van": _LETTER,
    "thu-cong": _LETTER,
    "ke-hoach": _PLAN,
    "chuong-trinh": _PLAN,
    "phuong-an": _PLAN,
    "bao-cao": _REPORT,
    "thong-bao": _NOTICE,
    "giay-moi": _INVITATION,
    "to-trinh": _SUBMISSION,
}


def body_template(type_code: str) -> str:
    return TEMPLATES.get(type_code, _DEFAULT)
