"""The write paths of the complaint channel (phản ánh, kiến nghị).

One function per state change: each checks who may act, validates, locks the
complaint row, checks the move against :data:`complaint_rules.MOVES`, writes the
change, the audit entry and the sender's notices in one transaction. A second
clerk (or a form sent twice) finds the complaint already moved and is refused with
:class:`WrongState`; a retried send with the same idempotency key returns the
first complaint.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.models import Unit
from egov.core.workcalendar import get_calendar
from egov.dossiers.models import Dossier
from egov.feedback import complaint_notices
from egov.feedback.complaint_models import (
    Complaint,
    ComplaintAbout,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintVote,
    SenderKind,
)
from egov.feedback.complaint_rules import AGENCY_TURN, DEADLINE_DAYS, MOVES
from egov.feedback.errors import InvalidFeedback, NotVerified, WrongState
from egov.feedback.selectors import may_answer
from egov.feedback.services import route_question
from egov.procedures.models import Procedure

TEXT_LIMIT = 5000


def _now() -> datetime:
    """The services' clock (tests replace it)."""
    return timezone.now()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(complaint: Complaint, token: str) -> bool:
    return bool(token) and hmac.compare_digest(complaint.token_hash, hash_token(token.strip()))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _contact_key(actor: Any, email: str, phone: str) -> str:
    parts = []
    if actor is not None:
        parts.append(f"u{actor.pk}")
    if email:
        parts.append(email.strip().casefold())
    if phone:
        parts.append(_digits(phone)[-9:])
    return "|".join(parts)[:300]


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintIn:
    about: str
    title: str
    body: str
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    sender_kind: str = SenderKind.CITIZEN
    procedure: Procedure | None = None
    agency: Unit | None = None
    dossier_code: str = ""
    #: The dossier applicant's ID number or tax code: the proof, with the code, that
    #: a sender who is not signed in as the applicant is entitled to the dossier.
    dossier_id_number: str = ""
    official_name: str = ""
    may_publish: bool = True
    idempotency_key: str = ""


@dataclass(frozen=True)
class Sent:
    complaint: Complaint
    #: The sender's follow-up key, shown once; empty when a retried request
    #: returned the complaint already recorded.
    token: str
    created: bool


def _owned_dossier(actor: Any, data: ComplaintIn) -> Dossier:
    code = "".join((data.dossier_code or "").split()).upper()
    if not code:
        raise InvalidFeedback(_("Give the code of the dossier."), "dossier_code")
    dossier = (
        Dossier.objects.select_related("receiving_agency", "procedure_version")
        .filter(code=code)
        .first()
    )
    refusal = NotVerified(
        _(
            "We could not match this dossier code with the applicant's ID number or tax "
            "code. Check both (they are on the receipt), or sign in with the account the "
            "dossier was submitted from."
        ),
        "dossier_id_number",
    )
    if dossier is None:
        raise refusal
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    if signed_in and dossier.applicant_id is not None and dossier.applicant_id == actor.pk:
        return dossier
    given = _digits(data.dossier_id_number)
    expected = _digits(dossier.applicant_id_number)
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise refusal
    return dossier


def _route(actor: Any, data: ComplaintIn) -> tuple[Unit, Procedure | None, Dossier | None]:
    if data.about == ComplaintAbout.PROCEDURE:
        if data.procedure is None:
            raise InvalidFeedback(_("Choose the procedure your feedback is about."), "procedure")
        return route_question(data.procedure, data.agency), data.procedure, None
    if data.about == ComplaintAbout.DOSSIER:
        dossier = _owned_dossier(actor, data)
        return dossier.receiving_agency, dossier.procedure_version.procedure, dossier
    if data.about == ComplaintAbout.OFFICIAL:
        return route_question(None, data.agency), None, None
    raise InvalidFeedback(_("Choose what your feedback is about."), "about")


def _earlier_on_same_matter(
    contact_key: str, about: str, agency: Unit, procedure: Any, dossier: Any
) -> Complaint | None:
    if not contact_key:
        return None
    qs = Complaint.objects.filter(contact_key=contact_key, about=about, agency=agency).exclude(
        status=ComplaintStatus.REFUSED
    )
    if dossier is not None:
        qs = qs.filter(dossier=dossier)
    elif procedure is not None:
        qs = qs.filter(procedure=procedure)
    return qs.order_by("received_at", "pk").first()


def send_complaint(actor: Any, data: ComplaintIn) -> Sent:
    """Record a complaint and route it to the responsible agency, with its deadlines.
    ``actor`` is the signed-in account or ``None``; without one, a name and an
    e-mail or phone are required. A complaint about a dossier must prove the sender
    is its applicant (their account, or the code with the applicant's ID number)."""
    signed_in = bool(actor is not None and getattr(actor, "is_authenticated", False))
    account = actor if signed_in else None
    name = (data.name or "").strip() or (actor.full_name if signed_in else "")
    email = (data.email or "").strip() or (actor.email if signed_in else "")
    phone = (data.phone or "").strip() or (actor.phone if signed_in else "")
    title, body = (data.title or "").strip(), (data.body or "").strip()
    if data.about not in ComplaintAbout.values:
        raise InvalidFeedback(_("Choose what your feedback is about."), "about")
    if data.sender_kind not in SenderKind.values:
        raise InvalidFeedback(_("Say whether you write as a citizen or a business."), "sender_kind")
    if not title:
        raise InvalidFeedback(_("Write the subject of your feedback."), "title")
    if not body:
        raise InvalidFeedback(_("Write your feedback."), "body")
    if len(body) > TEXT_LIMIT:
        raise InvalidFeedback(_("Keep the text under 5000 characters."), "body")
    if not name:
        raise InvalidFeedback(_("Give your name."), "name")
    if not (email or phone):
        raise InvalidFeedback(_("Give an e-mail address or a phone number."), "email")
    if phone and len(_digits(phone)) < 9:
        raise InvalidFeedback(_("Give a phone number of at least 9 digits."), "phone")
    agency, procedure, dossier = _route(actor, data)
    contact = _contact_key(account, email, phone)
    key = None
    if data.idempotency_key:
        key = hashlib.sha256(f"{contact}\n{data.idempotency_key}".encode()).hexdigest()
        found = Complaint.objects.filter(idempotency_key=key).first()
        if found is not None:
            return Sent(found, "", False)
    now = _now()
    calendar = get_calendar()
    token = secrets.token_urlsafe(18)
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                code=f"tmp-{secrets.token_hex(8)}",
                about=data.about,
                procedure=procedure,
                dossier=dossier,
                official_name=(data.official_name or "").strip()[:255],
                agency=agency,
                sender=account,
                sender_kind=data.sender_kind,
                sender_name=name[:255],
                sender_email=email[:254],
                sender_phone=phone[:20],
                sender_address=(data.address or "").strip()[:500],
                contact_key=contact,
                may_publish=data.may_publish,
                title=title[:255],
                body=body,
                repeat_of=_earlier_on_same_matter(contact, data.about, agency, procedure, dossier),
                received_at=now,
                refuse_due_at=calendar.add_working_days(now, DEADLINE_DAYS["refuse"]),
                more_info_due_at=calendar.add_working_days(now, DEADLINE_DAYS["more_info"]),
                answer_due_at=calendar.add_working_days(now, DEADLINE_DAYS["answer"]),
                token_hash=hash_token(token),
                idempotency_key=key,
            )
            complaint.code = f"PAKN-{timezone.localtime(now):%y%m%d}-{complaint.pk:05d}"
            complaint.current_due_at = complaint.answer_due_at
            complaint.save(update_fields=["code", "current_due_at"])
            audit.record(
                actor=account,
                action="feedback.complaint_send",
                obj=complaint,
                object_repr=complaint.code,
                unit=agency,
                changes={
                    "about": data.about,
                    "agency": agency.code,
                    "procedure": procedure.national_code if procedure else None,
                    "dossier": dossier.code if dossier else None,
                    "repeat_of": complaint.repeat_of.code if complaint.repeat_of else None,
                },
            )
            complaint_notices.queue(complaint, "received")
    except IntegrityError:
        # The same request arrived twice at once: the other one recorded it.
        found = Complaint.objects.filter(idempotency_key=key).first() if key else None
        if found is None:
            raise
        return Sent(found, "", False)
    return Sent(complaint, token, True)


# --- the agency's steps ---------------------------------------------------------------------


def may_handle(user: Any, complaint: Complaint) -> bool:
    return may_answer(user, complaint.agency)


def _step(
    actor: Any,
    complaint: Complaint,
    move_name: str,
    apply: Callable[[Complaint, datetime], dict[str, Any]],
    *,
    version: int | None = None,
) -> Complaint:
    """Lock, check the move and the version, ``apply`` it, save, audit, notify."""
    if not may_handle(actor, complaint):
        raise PermissionDenied(_("You may not handle the feedback of this agency."))
    move = MOVES[move_name]
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().select_related("agency").get(pk=complaint.pk)
        if locked.status not in move.sources or (version is not None and version != locked.version):
            raise WrongState(
                _(
                    "This feedback has changed since you opened it (now: %(status)s). "
                    "Open it again to see what was done."
                )
                % {"status": locked.get_status_display()}
            )
        now = _now()
        changes = apply(locked, now)
        if move.target:
            changes.setdefault("status", [locked.status, move.target])
            locked.status = move.target
        locked.version += 1
        locked.save()
        audit.record(
            actor=actor,
            action=f"feedback.complaint_{move_name}",
            obj=locked,
            object_repr=locked.code,
            unit=locked.agency,
            changes=changes,
        )
        if move.notice:
            complaint_notices.queue(locked, move.notice, locked.more_info_count)
    return locked


def classify(actor: Any, complaint: Complaint, category: str, **kw: Any) -> Complaint:
    if category not in ComplaintCategory.values:
        raise InvalidFeedback(_("Choose a classification."), "category")

    def apply(c: Complaint, now: datetime) -> dict[str, Any]:
        before = c.category
        c.category = category
        c.classified_at = c.classified_at or now
        return {"category": [before, category]}

    return _step(actor, complaint, "classify", apply, **kw)


def refuse(actor: Any, complaint: Complaint, reason: str, **kw: Any) -> Complaint:
    text = (reason or "").strip()
    if not text:
        raise InvalidFeedback(_("Give the reason for refusing."), "reason")

    def apply(c: Complaint, now: datetime) -> dict[str, Any]:
        c.refused_at = now
        c.refusal_reason = text[:TEXT_LIMIT]
        c.current_due_at = None
        return {"reason": text[:200], "late": now > c.refuse_due_at}

    return _step(actor, complaint, "refuse", apply, **kw)


def ask_more(actor: Any, complaint: Complaint, request: str, **kw: Any) -> Complaint:
    text = (request or "").strip()
    if not text:
        raise InvalidFeedback(_("Say what information is needed."), "request")

    def apply(c: Complaint, now: datetime) -> dict[str, Any]:
        c.first_more_info_at = c.first_more_info_at or now
        c.more_info_at = now
        c.more_info_count += 1
        c.more_info_request = text[:TEXT_LIMIT]
        c.current_due_at = None  # the sender's turn: the agency's clock stops
        return {"request": text[:200], "count": c.more_info_count}

    return _step(actor, complaint, "ask_more", apply, **kw)


def reply_more(actor: Any, complaint: Complaint, text: str, *, token: str = "") -> Complaint:
    """The sender gives the information asked for (signed in as the sender, or with
    the follow-up key). The waiting time is added to the answer's deadline."""
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    is_sender = signed_in and complaint.sender_id is not None and complaint.sender_id == actor.pk
    if not (is_sender or token_matches(complaint, token)):
        raise PermissionDenied(_("Only the sender may reply to this feedback."))
    reply = (text or "").strip()
    if not reply:
        raise InvalidFeedback(_("Write the information asked for."), "reply")
    move = MOVES["reply"]
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status not in move.sources:
            raise WrongState(_("This feedback is not waiting for information from you."))
        now = _now()
        calendar = get_calendar()
        assert locked.more_info_at is not None
        waited = calendar.working_time_between(locked.more_info_at, now)
        before_due = locked.answer_due_at
        if waited.total_seconds() > 0:
            locked.answer_due_at = calendar.shift_working_time(locked.answer_due_at, waited)
        stamp = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
        locked.more_info_reply = (
            f"{locked.more_info_reply}\n\n[{stamp}] {reply}" if locked.more_info_reply else reply
        )[: TEXT_LIMIT * 2]
        locked.more_info_replied_at = now
        locked.status = move.target
        locked.current_due_at = locked.answer_due_at
        locked.version += 1
        locked.save()
        audit.record(
            actor=actor if signed_in else None,
            action="feedback.complaint_reply",
            obj=locked,
            object_repr=locked.code,
            unit=locked.agency,
            changes={"answer_due_at": [before_due.isoformat(), locked.answer_due_at.isoformat()]},
        )
    return locked


def answer(actor: Any, complaint: Complaint, text: str, **kw: Any) -> Complaint:
    """Approve the agency's answer (or correct it before publication); publication
    is due within two working days of the approval."""
    body = (text or "").strip()
    if not body:
        raise InvalidFeedback(_("Write the answer."), "answer")

    def apply(c: Complaint, now: datetime) -> dict[str, Any]:
        before = c.answer
        c.answer = body[: TEXT_LIMIT * 2]
        if c.answered_at is None:
            c.answered_at = now
            c.answered_by = actor
            c.publish_due_at = get_calendar().add_working_days(now, DEADLINE_DAYS["publish"])
        c.current_due_at = c.publish_due_at
        return {"answer": [before[:200], body[:200]], "late": now > c.answer_due_at}

    return _step(actor, complaint, "answer", apply, **kw)


def publish(actor: Any, complaint: Complaint, **kw: Any) -> Complaint:
    def apply(c: Complaint, now: datetime) -> dict[str, Any]:
        c.published_at = now
        c.current_due_at = None
        late = c.publish_due_at is not None and now > c.publish_due_at
        return {"late": late}

    return _step(actor, complaint, "publish", apply, **kw)


# --- likes and dislikes ---------------------------------------------------------------------


def vote(complaint: Complaint, voter_key: str, value: int) -> Complaint:
    """One like (1) or dislike (-1) per person or browser on a published answer; the
    same vote again changes nothing, the other one replaces it. Counters are kept
    on the complaint under its row lock."""
    if value not in (1, -1):
        raise InvalidFeedback(_("Choose like or dislike."), "value")
    if not voter_key:
        raise InvalidFeedback(_("Your browser must accept cookies to vote."), "value")
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status != ComplaintStatus.PUBLISHED:
            raise WrongState(_("Only published answers can be liked or disliked."))
        existing = ComplaintVote.objects.filter(complaint=locked, voter_key=voter_key).first()
        if existing is not None and existing.value == value:
            return locked
        if existing is not None:
            if existing.value == 1:
                locked.likes -= 1
            else:
                locked.dislikes -= 1
            existing.value = value
            existing.voted_at = _now()
            existing.save(update_fields=["value", "voted_at"])
        else:
            ComplaintVote.objects.create(
                complaint=locked, voter_key=voter_key, value=value, voted_at=_now()
            )
        if value == 1:
            locked.likes += 1
        else:
            locked.dislikes += 1
        locked.save(update_fields=["likes", "dislikes"])
    return locked


def agency_turn(complaint: Complaint) -> bool:
    return complaint.status in AGENCY_TURN
