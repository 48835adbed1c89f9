"""Receiving a batch of complete dossiers at once: a postal sack opened at the
desk, a batch handed over by another system, an import.

:func:`receive_batch` applies to every item the rules of
:func:`~egov.dossiers.services.intake.receive_dossier` (same checks, same code
series, due date, first step, papers, event, audit entry and notifications), and
gives the same rows as receiving the items one by one in the order given. What it
does once instead of per item:

* the terms of receipt and the process plan, once per procedure × agency;
* per chunk of items, one transaction: the codes of each agency as one block
  (:func:`egov.core.numbering.issue_dossier_codes`, one upsert per agency and
  period), the dossiers, papers and events each in one ``INSERT``, the audit
  entries appended together (:func:`egov.core.audit_batch.record_many`), and the
  listeners told once (``dossiers_changed_in_batch``).

Each item gets its own result. An item that is refused (incomplete papers, no
permission, bad input) is reported with the same error body as the API gives and
takes no number; the others go on. Should a chunk's transaction fail anyway, it is
rolled back and its items are received one by one, so only the bad item fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import audit_batch
from egov.core.errors import DomainError, answer_for, error_body
from egov.core.models import Unit
from egov.core.numbering import issue_dossier_codes
from egov.dossiers.models import Channel, Dossier, DossierEvent, DossierPaper
from egov.dossiers.services.inputs import Actor, ApplicantIn, actor_user, text
from egov.dossiers.services.intake import (
    _Intake,
    _receive,
    creation_changes,
    first_event,
    intake_with,
    received_dossier,
)
from egov.dossiers.services.papers import PaperIn, paper_objects
from egov.dossiers.signals import dossier_changed, dossiers_changed_in_batch
from egov.procedures.models import ProcedureVersion
from egov.procedures.terms import PlannedStep, ReceiptTerms, terms_of_receipt

logger = logging.getLogger(__name__)

#: Items per transaction: long enough to share the per-statement costs, short
#: enough that the agency's code row and the audit head are not held for long.
DEFAULT_CHUNK = 200
ACTION = "receive"


@dataclass(frozen=True)
class ReceiptIn:
    """One dossier of a batch: what :func:`receive_dossier` takes."""

    version: ProcedureVersion
    agency: Unit
    applicant: ApplicantIn
    papers: Sequence[PaperIn]
    channel: int = Channel.POST
    received_at: datetime | None = None
    fee_inputs: Mapping[str, Any] | None = None
    note: str = ""
    #: The caller's name for the item (a line number, a tracking number).
    reference: str = ""


@dataclass
class ReceiptResult:
    """What happened to one item: its dossier, or the error (the API's body)."""

    index: int
    reference: str = ""
    dossier: Dossier | None = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.dossier is not None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"index": self.index, "reference": self.reference}
        if self.dossier is not None:
            found.update(
                ok=True, code=self.dossier.code, due_at=_iso(self.dossier.due_at), error=None
            )
        else:
            found.update(ok=False, code=None, due_at=None, error=self.error)
        return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class _Ready:
    """An item checked and computed, waiting for its chunk's transaction."""

    result: ReceiptResult
    item: ReceiptIn
    intake: _Intake
    dossier: Dossier
    first: PlannedStep
    note: str


@dataclass
class _Terms:
    """What a batch reads once per procedure version × agency."""

    terms: ReceiptTerms
    plan: list[PlannedStep] = field(default_factory=list)


def error_of(exc: Exception) -> dict[str, Any]:
    """The API's error body for a refusal; a generic one for anything else."""
    answer = answer_for(exc)
    if answer is not None:
        return answer[1]
    return error_body("error", _("This dossier could not be received; nothing was saved."))


def receive_batch(
    actor: Actor, items: Sequence[ReceiptIn], *, chunk_size: int = DEFAULT_CHUNK
) -> list[ReceiptResult]:
    """Receive ``items`` (desk or post) as :func:`receive_dossier` would, one by one
    in this order, and return one result per item, in the same order."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    terms: dict[tuple[int, int], _Terms] = {}
    results: list[ReceiptResult] = []
    for start in range(0, len(items), chunk_size):
        chunk = items[start : start + chunk_size]
        ready: list[_Ready] = []
        for offset, item in enumerate(chunk):
            result = ReceiptResult(index=start + offset, reference=item.reference)
            results.append(result)
            try:
                ready.append(_prepare(actor, item, result, terms))
            except (DomainError, PermissionDenied, ValidationError) as exc:
                result.error = error_of(exc)
            except Exception as exc:
                logger.exception("batch receipt: item %s refused by an error", result.index)
                result.error = error_of(exc)
        if ready:
            _write_chunk(actor, ready)
    return results


def _prepare(
    actor: Actor, item: ReceiptIn, result: ReceiptResult, cache: dict[tuple[int, int], _Terms]
) -> _Ready:
    key = (item.version.pk, item.agency.pk)
    known = cache.get(key)
    if known is None:
        base = terms_of_receipt(item.version, item.agency)
        known = cache[key] = _Terms(terms=base)
    intake = intake_with(
        known.terms,
        actor,
        channel=item.channel,
        applicant=item.applicant,
        papers=item.papers,
        at=item.received_at,
    )
    if not known.plan:
        # Read after the checks, as one receipt does: a refused item reads nothing more.
        known.plan = known.terms.plan
    dossier, first = received_dossier(
        intake, channel=item.channel, fee_inputs=item.fee_inputs, plan=known.plan
    )
    return _Ready(
        result=result,
        item=item,
        intake=intake,
        dossier=dossier,
        first=first,
        note=text(item.note, 2000),
    )


def _write_chunk(actor: Actor, ready: list[_Ready]) -> None:
    try:
        with transaction.atomic():
            _insert(actor, ready)
    except Exception:
        logger.exception("batch receipt: a chunk failed; receiving its items one by one")
        for entry in ready:
            entry.dossier.pk = None
            entry.dossier.code = ""
            entry.dossier._state.adding = True
            _receive_alone(actor, entry)
        return
    for entry in ready:
        entry.result.dossier = entry.dossier


def _receive_alone(actor: Actor, entry: _Ready) -> None:
    item = entry.item
    try:
        entry.result.dossier = _receive(
            actor,
            version=item.version,
            agency=item.agency,
            channel=item.channel,
            applicant=item.applicant,
            papers=item.papers,
            received_at=entry.intake.at,
            fee_inputs=item.fee_inputs,
            note=item.note,
        )
    except Exception as exc:
        if not isinstance(exc, DomainError | PermissionDenied | ValidationError):
            logger.exception("batch receipt: item %s failed", entry.result.index)
        entry.result.error = error_of(exc)


def _insert(actor: Actor, ready: list[_Ready]) -> None:
    """The chunk's writes, in the order one receipt makes them: codes, dossiers,
    papers, events, listeners, audit."""
    by_agency: dict[str, list[_Ready]] = {}
    for entry in ready:
        by_agency.setdefault(entry.intake.terms.agency.code, []).append(entry)
    for agency_code, entries in by_agency.items():
        codes = issue_dossier_codes(agency_code, [entry.intake.at for entry in entries])
        for entry, code in zip(entries, codes, strict=True):
            entry.dossier.code = code
    dossiers = [entry.dossier for entry in ready]
    Dossier.objects.bulk_create(dossiers)
    papers: list[DossierPaper] = []
    for entry in ready:
        papers += paper_objects(entry.dossier, entry.intake.rows)
    with_file = [paper for paper in papers if paper.file]
    DossierPaper.objects.bulk_create([paper for paper in papers if not paper.file])
    for paper in with_file:
        paper.save(force_insert=True)
    events = [
        first_event(
            actor,
            entry.dossier,
            entry.intake,
            action=ACTION,
            note=entry.note,
            step_name=entry.first.name,
        )
        for entry in ready
    ]
    DossierEvent.objects.bulk_create(events)
    user = actor_user(actor)
    for dossier, event in zip(dossiers, events, strict=True):
        dossier_changed.send(
            Dossier, dossier=dossier, event=event, action=ACTION, actor=user, in_batch=True
        )
    dossiers_changed_in_batch.send(
        Dossier, items=list(zip(dossiers, events, strict=True)), action=ACTION, actor=user
    )
    audit_batch.record_many(
        [
            audit_batch.Entry(
                actor=actor,
                action=f"dossier.{ACTION}",
                obj=entry.dossier,
                unit=entry.dossier.receiving_unit,
                changes=creation_changes(entry.dossier, entry.intake, note=entry.note),
            )
            for entry in ready
        ]
    )
