"""Test data of the applicant space: real dossiers walked through the services."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.accounts.models import AccountKind, User
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.dossiers.services import PaperIn
from egov.dossiers.tests.factories import World, applicant, complete_papers, receive


def pdf_bytes(text: str = "giay to") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def pdf_upload(name: str = "giay-to.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "anh.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fake_pdf(name: str = "giay-to.pdf") -> SimpleUploadedFile:
    """A Windows program renamed .pdf."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def other_citizen(username: str = "091190009999") -> User:
    return User.objects.create_user(
        username,
        None,
        full_name="Trần Văn Khác",
        kind=AccountKind.CITIZEN,
        national_id=username,
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def own_dossier(world: World, **kwargs: Any) -> Dossier:
    """Received at the desk for the world's citizen account (status 2)."""
    citizen = world.staff.citizen
    return receive(
        world,
        applicant=applicant(user=citizen, name=citizen.full_name, id_number=citizen.national_id),
        **kwargs,
    )


def supplement_requested(world: World) -> Dossier:
    """Received, handed to the specialist, who asks for a paper (status 5)."""
    staff = world.staff
    dossier = own_dossier(world)
    services.forward(staff.clerk, dossier, expected_version=1, to_user=staff.specialist)
    services.request_supplement(
        staff.specialist,
        dossier,
        expected_version=2,
        missing_papers=["Giấy xác nhận cư trú"],
        reason="Thiếu giấy xác nhận cư trú của người mẹ.",
    )
    return dossier


def incomplete_at_desk(world: World) -> Dossier:
    """Brought incomplete to the desk (status 5, never received): the birth
    certificate is missing."""
    citizen = world.staff.citizen
    papers = [p for p in complete_papers(world) if p.required_paper != world.papers[1].pk]
    return services.request_supplement_at_desk(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(user=citizen, name=citizen.full_name, id_number=citizen.national_id),
        papers=papers,
        reason="Thiếu giấy chứng sinh.",
    )


def result_ready(world: World, *, with_file: bool = True) -> Dossier:
    """Walked through the four steps of the standard process to status 9."""
    staff = world.staff
    dossier = own_dossier(world)
    services.forward(staff.clerk, dossier, expected_version=1, to_user=staff.specialist)
    services.forward(staff.specialist, dossier, expected_version=2, to_user=staff.head)
    services.forward(staff.head, dossier, expected_version=3, to_user=staff.leader)
    result = [
        PaperIn(
            name="Giấy khai sinh (bản điện tử)",
            file=SimpleUploadedFile("ket-qua.pdf", pdf_bytes("ket qua")) if with_file else None,
        )
    ]
    services.mark_result_ready(staff.leader, dossier, expected_version=4, result_papers=result)
    return dossier
