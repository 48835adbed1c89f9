"""Drafting: a new draft, saved versions (text written on the page or an uploaded
DOCX/ODT/PDF), comments and the recipients. Every save checks the version the
editor started from, so a stale edit in a second tab is refused, not lost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.models import Unit
from egov.documents.access import agency_of
from egov.outgoing import access
from egov.outgoing.doctypes import resolve_type
from egov.outgoing.files import check_draft_file, safe_name
from egov.outgoing.models import (
    Authority,
    Comment,
    Confidentiality,
    DraftVersion,
    EventKind,
    OutgoingDocument,
    Recipient,
    RecipientKind,
    Status,
    Urgency,
    VersionKind,
)
from egov.outgoing.services.common import bump, event, lock, require_not_frozen


@dataclass(frozen=True)
class RecipientIn:
    """An addressee: an agency on the platform (``agency``) or one outside it
    (``name`` and, when known, its identifier code ``organ_id``)."""

    agency: Unit | None = None
    name: str = ""
    organ_id: str = ""


@dataclass(frozen=True)
class DraftIn:
    type_code: str
    subject: str
    body: str = ""
    place: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NORMAL
    authority: str = ""
    authority_of: str = ""
    signer_position: str = ""
    signer_name: str = ""
    copies_to: str = ""


def _clean(data: DraftIn) -> dict[str, Any]:
    errors: dict[str, str] = {}
    subject = " ".join(data.subject.split())
    if not subject:
        errors["subject"] = _("Write the summary (trích yếu) of the document.")
    elif len(subject) > 500:
        errors["subject"] = _("The summary may be at most 500 characters.")
    kind = resolve_type(data.type_code)
    if kind is None:
        errors["type_code"] = _("Choose one of the document types of Decree 30.")
    if data.urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    if data.confidentiality not in Confidentiality.values:
        errors["confidentiality"] = _("Unknown confidentiality level.")
    if data.authority not in Authority.values:
        errors["authority"] = _("Unknown signing authority.")
    if data.authority and not data.authority_of.strip():
        errors["authority_of"] = _(
            "Say on whose behalf the signer signs (e.g. ỦY BAN NHÂN DÂN after TM.)."
        )
    place = " ".join(data.place.split()) or access.default_place()
    if len(place) > 150:
        errors["place"] = _("The place may be at most 150 characters.")
    if not data.signer_position.strip():
        errors["signer_position"] = _("Write the signer's title (e.g. CHỦ TỊCH).")
    if not data.signer_name.strip():
        errors["signer_name"] = _("Write the signer's full name.")
    if errors:
        raise ValidationError(errors)
    assert kind is not None
    return {
        "type_code": kind.code,
        "type_name": kind.name,
        "type_abbreviation": kind.abbreviation,
        "subject": subject,
        "body": data.body.replace("\r\n", "\n").strip(),
        "place": place,
        "urgency": data.urgency,
        "confidentiality": data.confidentiality,
        "authority": data.authority,
        "authority_of": " ".join(data.authority_of.split()),
        "signer_position": " ".join(data.signer_position.split()),
        "signer_name": " ".join(data.signer_name.split()),
        "copies_to": data.copies_to.replace("\r\n", "\n").strip(),
    }


def _set_recipients(document: OutgoingDocument, recipients: list[RecipientIn]) -> None:
    seen: set[int] = set()
    rows: list[Recipient] = []
    for index, item in enumerate(recipients):
        if item.agency is not None:
            if item.agency.pk in seen:
                raise ValidationError(
                    {"recipients": _("%(name)s is listed twice.") % {"name": item.agency.name}}
                )
            if item.agency.pk == document.agency_id:
                raise ValidationError(
                    {"recipients": _("An agency does not send a document to itself.")}
                )
            if not item.agency.is_active:
                raise ValidationError(
                    {"recipients": _("%(name)s no longer exists.") % {"name": item.agency.name}}
                )
            seen.add(item.agency.pk)
            rows.append(
                Recipient(
                    document=document,
                    kind=RecipientKind.PLATFORM,
                    agency=item.agency,
                    name=item.agency.name,
                    organ_id=item.agency.code,
                )
            )
            continue
        name = " ".join(item.name.split())
        if not name:
            raise ValidationError(
                {"recipients": _("Recipient %(n)s has no name.") % {"n": index + 1}}
            )
        rows.append(
            Recipient(
                document=document,
                kind=RecipientKind.OUTSIDE,
                name=name[:255],
                organ_id=item.organ_id.strip()[:40],
            )
        )
    document.recipients.all().delete()
    Recipient.objects.bulk_create(rows)


def create_draft(
    actor: Any,
    *,
    drafting_unit: Unit,
    data: DraftIn,
    recipients: list[RecipientIn] | None = None,
    replaces: OutgoingDocument | None = None,
) -> OutgoingDocument:
    """A new draft of ``drafting_unit`` (version 1), written by ``actor``."""
    if not access.may_draft_in(actor, drafting_unit):
        raise PermissionDenied(_("You may draft documents only for a unit you work in."))
    fields = _clean(data)
    agency = agency_of(drafting_unit)
    with transaction.atomic():
        document = OutgoingDocument.objects.create(
            agency=agency,
            drafting_unit=drafting_unit,
            author=actor,
            replaces=replaces,
            **fields,
        )
        _set_recipients(document, recipients or [])
        DraftVersion.objects.create(
            document=document,
            number=1,
            kind=VersionKind.TEXT,
            subject=document.subject,
            body=document.body,
            created_by=actor,
        )
        event(document, EventKind.CREATED, actor)
        audit.record(
            actor=actor,
            action="outgoing.draft_created",
            obj=document,
            unit=agency,
            changes={"subject": [None, document.subject], "type": [None, document.type_code]},
        )
    return document


def _require_edit(actor: Any, document: OutgoingDocument) -> None:
    require_not_frozen(document)
    if not access.may_edit(actor, document):
        raise PermissionDenied(_("You may not change this draft now."))


def save_draft(
    actor: Any,
    document: OutgoingDocument,
    *,
    expected_version: int,
    data: DraftIn,
    recipients: list[RecipientIn] | None = None,
    note: str = "",
) -> OutgoingDocument:
    """Save the text written on the page as a new version. ``expected_version`` is
    the version the editor started from: another save since then is refused with
    :class:`~egov.outgoing.errors.StaleDocument` and changes nothing."""
    fields = _clean(data)
    with transaction.atomic():
        current = lock(document, expected_version)
        _require_edit(actor, current)
        before = {name: getattr(current, name) for name in fields}
        for name, value in fields.items():
            setattr(current, name, value)
        if recipients is not None:
            _set_recipients(current, recipients)
        bump(current, list(fields))
        number = (
            current.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        DraftVersion.objects.create(
            document=current,
            number=number,
            kind=VersionKind.TEXT,
            subject=current.subject,
            body=current.body,
            note=note.strip()[:500],
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="outgoing.draft_saved",
            obj=current,
            unit=current.agency,
            changes=audit.diff(before, fields),
        )
    return current


def upload_version(
    actor: Any,
    document: OutgoingDocument,
    *,
    expected_version: int,
    file: Any,
    note: str = "",
) -> DraftVersion:
    """A new version from a DOCX, ODT or PDF file, recognised by its content."""
    kind = check_draft_file(file)
    file.seek(0)
    content = file.read()
    with transaction.atomic():
        current = lock(document, expected_version)
        _require_edit(actor, current)
        bump(current, [])
        number = (
            current.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        name = safe_name(getattr(file, "name", "") or "", kind)
        version = DraftVersion(
            document=current,
            number=number,
            kind=VersionKind.FILE,
            subject=current.subject,
            body=current.body,
            file_name=name,
            content_type=kind.content_type,
            note=note.strip()[:500],
            created_by=actor,
        )
        version.file.save(name, ContentFile(content), save=False)
        version.save()
        audit.record(
            actor=actor,
            action="outgoing.file_uploaded",
            obj=current,
            unit=current.agency,
            changes={"version": [None, number], "file": [None, name]},
        )
    return version


def add_comment(actor: Any, document: OutgoingDocument, text: str) -> Comment:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("A comment may be at most 4000 characters.")})
    if not access.may_see(actor, document):
        raise PermissionDenied(_("You may not see this document."))
    with transaction.atomic():
        latest = document.versions.order_by("-number").values_list("number", flat=True).first()
        comment = Comment.objects.create(
            document=document, author=actor, text=text, version_number=latest
        )
        audit.record(
            actor=actor, action="outgoing.comment_added", obj=document, unit=document.agency
        )
    return comment


def is_editable_status(document: OutgoingDocument) -> bool:
    return document.status in (Status.DRAFTING, Status.IN_REVIEW)
