"""Demo outgoing documents of Sở Tư pháp, made through the services.

The department's specialist drafts, its head of division and director approve, its
records clerk issues: letters and decisions go to Văn phòng UBND tỉnh on the
platform (one already registered there, so the sender's page shows it), one waits
for the document exchange, a confidential one goes on paper, one was recalled, and
a few are still in the chain so every worklist has something in it.
"""

from __future__ import annotations

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.documents import selectors as incoming_selectors
from egov.documents import services as incoming
from egov.documents.doctypes import ensure_document_types
from egov.outgoing import services
from egov.outgoing.chains import ensure_default_chain
from egov.outgoing.models import OutgoingDocument
from egov.outgoing.services import DraftIn, RecipientIn
from egov.outgoing.services.issuance import source_ref

SIGNER = ("KT.", "Giám đốc", "Phó Giám đốc", "Đinh Công Minh")

# (type, subject, body, how far it goes, outside recipient, confidential)
DOCUMENTS: tuple[tuple[str, str, str, str, str, bool], ...] = (
    (
        "cong-van",
        "báo cáo tình hình triển khai hệ thống quản lý văn bản điều hành",
        "Kính gửi: Văn phòng Ủy ban nhân dân tỉnh.\n"
        "Sở Tư pháp báo cáo tình hình triển khai hệ thống quản lý văn bản điều hành như sau:\n"
        "1. Tỷ lệ văn bản điện tử gửi, nhận đạt trên 95%.\n"
        "2. Toàn bộ hồ sơ công việc năm nay được lập trên hệ thống./.",
        "registered",
        "",
        False,
    ),
    (
        "quyet-dinh",
        "Về việc ban hành Quy chế công tác văn thư, lưu trữ của Sở Tư pháp",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công "
        "tác văn thư;\nTheo đề nghị của Chánh Văn phòng Sở.\nQUYẾT ĐỊNH:\n"
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư, lưu trữ.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "issued",
        "Bộ Tư pháp",
        False,
    ),
    (
        "cong-van",
        "cung cấp thông tin phục vụ công tác thanh tra",
        "Kính gửi: Văn phòng Ủy ban nhân dân tỉnh.\nNội dung theo phụ lục kèm theo./.",
        "issued",
        "",
        True,
    ),
    (
        "thong-bao",
        "Thông báo lịch tiếp công dân tháng tới",
        "Sở Tư pháp thông báo lịch tiếp công dân của lãnh đạo Sở./.",
        "recalled",
        "",
        False,
    ),
    (
        "bao-cao",
        "Báo cáo kết quả kiểm tra văn bản quy phạm pháp luật năm nay",
        "I. TÌNH HÌNH THỰC HIỆN\nĐã kiểm tra 124 văn bản.\nII. KIẾN NGHỊ\nKhông./.",
        "approved",
        "",
        False,
    ),
    (
        "ke-hoach",
        "Kế hoạch phổ biến, giáo dục pháp luật năm tới",
        "I. MỤC ĐÍCH, YÊU CẦU\n[ ]\nII. NỘI DUNG\n[ ]./.",
        "in_review",
        "",
        False,
    ),
    (
        "to-trinh",
        "Tờ trình đề nghị phê duyệt danh mục văn bản quy phạm pháp luật",
        "Kính gửi: Ủy ban nhân dân tỉnh.\n[Nội dung]./.",
        "draft",
        "",
        False,
    ),
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _leader_confirms(_seconds: float) -> None:
    """The demo's director confirms on the simulated phone (the loader stands in)."""
    from egov.signatures import simulator
    from egov.signatures.models import SimulatedRemoteRequest

    for pending in SimulatedRemoteRequest.objects.filter(status="pending"):
        simulator.confirm(pending, accept=True)


def issue_signed(clerk: User, document: OutgoingDocument) -> OutgoingDocument:
    """Issue through the services: signed by the director (remote signing, confirmed
    here) and sealed by the agency where the test PKI is made, else unsigned. The
    server is not running while the demo loads: the simulators (TSA, OCSP, remote
    signing) are reached in-process."""
    from django.test.utils import override_settings

    with override_settings(EGOV_SIGNATURES_TRANSPORT="inprocess"):
        return services.issue_document(
            clerk,
            document,
            expected_version=document.lock_version,
            remote={"sleep": _leader_confirms, "wait": 30},
        )


def load_demo_outgoing() -> str:
    """Idempotent: does nothing once the department has outgoing documents."""
    ensure_document_types()
    ensure_default_chain()
    justice = accounts_demo.department("Tư pháp")
    office = accounts_demo.provincial_office()
    if OutgoingDocument.objects.filter(agency=justice).exists():
        return "already loaded"
    specialist = _user("chuyenvien.stp")
    head = _user("truongphong.stp")
    leader = _user("lanhdao.stp")
    clerk = _user("vanthu.stp")
    office_clerk = _user("vanthu.vpubnd")
    authority, authority_of, position, name = SIGNER
    for type_code, subject, body, stage, outside, confidential in DOCUMENTS:
        recipients = [RecipientIn(agency=office)]
        if outside:
            recipients.append(RecipientIn(name=outside, organ_id="000.00.00.G13"))
        document = services.create_draft(
            specialist,
            drafting_unit=justice,
            data=DraftIn(
                type_code=type_code,
                subject=subject,
                body=body,
                confidentiality="confidential" if confidential else "normal",
                authority=authority,
                authority_of=authority_of,
                signer_position=position,
                signer_name=name,
                copies_to="Lưu: VT, VP",
            ),
            recipients=recipients,
        )
        if stage == "draft":
            continue
        document = services.submit(specialist, document, expected_version=document.lock_version)
        if stage == "in_review":
            continue
        services.add_comment(head, document, "Đề nghị rà soát lại căn cứ pháp lý.")
        document = services.approve(head, document, expected_version=document.lock_version)
        document = services.approve(leader, document, expected_version=document.lock_version)
        if stage == "approved":
            continue
        document = issue_signed(clerk, document)
        services.dispatch_document(clerk, document)
        if stage == "registered":
            arrived = incoming_selectors.delivered(source_ref(document), office)
            incoming.register(arrived, actor=office_clerk, confirm_duplicate=True)
        if stage == "recalled":
            services.recall_document(
                clerk, document, reason="Sai lịch tiếp công dân; sẽ ban hành văn bản thay thế."
            )
    return f"{len(DOCUMENTS)} documents of {justice.name}"
