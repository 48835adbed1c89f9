"""A demo one-stop dossier whose result went through the bridge and was issued signed.

At Sở Tư pháp, "Xác nhận thông tin hộ tịch" (2.002516, the demo's process template:
desk → specialist → head of division → director → desk): the desk receives it, the
specialist drafts the result decision from the dossier page, the dossier goes up to
the director, the decision goes through the outgoing chain, the records clerk
issues it signed (the director on the simulated phone, the department's seal with
its key in the server's token, where the test PKI is made), and the bridge puts
the signed PDF on the dossier as its result: the demo shows a signed one-stop
result. All through the services; idempotent (once the dossier has its decision).
"""

from __future__ import annotations

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.dossiers import services as dossier_services
from egov.dossiers.demo import DEMO_EMAIL_DOMAIN
from egov.dossiers.services import ApplicantIn, PaperIn
from egov.dossiers.workflow import Action
from egov.outgoing import services
from egov.outgoing.demo import issue_signed
from egov.outgoing.models import DossierPurpose, OutgoingDocument
from egov.outgoing.services import bridge
from egov.procedures.selectors import published_version

PROCEDURE = "2.002516"
APPLICANT = ApplicantIn(
    name="Nguyễn Thị Hồng",
    id_number="091185001234",
    address="45 Trần Phú, Rạch Giá, Kiên Giang",
    phone="0913456789",
    email=f"ket-qua-ky-so@{DEMO_EMAIL_DOMAIN}",
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def load_demo_signed_result() -> str:
    justice = accounts_demo.department("Tư pháp")
    if OutgoingDocument.objects.filter(
        agency=justice, dossier_purpose=DossierPurpose.RESULT
    ).exists():
        return "already loaded"
    version = published_version(PROCEDURE)
    operator = (
        User.objects.filter(is_active=True, role_assignments__role__code=RoleCode.PLATFORM_OPERATOR)
        .order_by("pk")
        .first()
    )
    people = [_user(name) for name in ("chuyenvien.stp", "truongphong.stp", "lanhdao.stp")]
    clerk = _user("vanthu.stp")
    if version is None or operator is None or clerk is None or None in people:
        return f"skipped (procedure {PROCEDURE} or the demo staff of {justice.name} missing)"
    specialist, head, leader = people
    assert specialist is not None and head is not None and leader is not None
    papers = [
        PaperIn(required_paper=paper.pk, copies=paper.copies, form=paper.form)
        for paper in version.papers.all()
        if not paper.is_optional
    ]
    dossier = dossier_services.receive_dossier(
        operator, version=version, agency=justice, applicant=APPLICANT, papers=papers
    )
    # To the specialist, who drafts the result decision from the dossier.
    dossier_services.forward(operator, dossier, expected_version=dossier.version)
    document = bridge.draft_for_dossier(specialist, dossier.code, purpose=DossierPurpose.RESULT)
    # The dossier goes up to the director while the decision goes through its chain.
    while not dossier_services.may_act(leader, dossier, Action.RESULT_READY):
        if not dossier_services.may_act(operator, dossier, Action.FORWARD):
            return f"skipped (dossier {dossier.code} cannot reach the director's step)"
        dossier_services.forward(operator, dossier, expected_version=dossier.version)
    document = services.submit(specialist, document, expected_version=document.lock_version)
    document = services.approve(head, document, expected_version=document.lock_version)
    document = services.approve(leader, document, expected_version=document.lock_version)
    document = issue_signed(clerk, document)
    signed = "signed" if document.digitally_signed else "unsigned (no test PKI)"
    return f"dossier {dossier.code}: result {document.number_and_symbol} issued {signed}"
