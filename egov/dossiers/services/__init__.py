"""Every change to a one-stop dossier: the write path, by concern.

* :mod:`.intake` — creating a dossier (desk, post, online, the desk's form 02 and
  form 03 decisions, the API's idempotent receipt), from the catalogue's terms of
  receipt (:mod:`egov.procedures.terms`);
* :mod:`.papers` — papers handed in, checked against the procedure's list;
* :mod:`.plan` — the process a dossier follows and entering a step;
* :mod:`.permissions` — who may make a move (``may_act``);
* :mod:`.moves` — the move machinery: lock, version check, workflow row, clock,
  event and audit entry;
* :mod:`.actions` — the fifteen moves, one function each;
* :mod:`.batch` — receiving many complete dossiers at once (post, imports);
* :mod:`.signed_forms` — forms 01–04 signed with the agency's key, once per version.

Rules every function follows: ``actor`` comes first (``None`` only where the
workflow table allows a system actor: the payment platform confirming a payment);
a change to an existing dossier takes ``expected_version`` and is refused with
``StaleDossier`` when someone changed it since; the move must be a row of
:mod:`egov.dossiers.workflow`, else ``TransitionNotAllowed`` and nothing changes;
one transaction per act, with a ``DossierEvent`` and one audit entry written last.

This module is the stable import surface other apps use.
"""

from __future__ import annotations

from typing import Any

# Re-exported as before the split: callers catch services.ValidationError /
# PermissionDenied (the demo loader) and patch services.audit.record (tests).
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core import audit as audit
from egov.dossiers.models import Dossier
from egov.dossiers.services import inputs as inputs
from egov.dossiers.services.actions import (
    accept_online,
    answer_consultation,
    apology_offered,
    confirm_payment,
    consult_agency,
    forward,
    issue_apology,
    mark_result_ready,
    needs_apology,
    receive_supplement,
    refuse,
    request_payment,
    request_supplement,
    return_result,
    send_back,
    stop_processing,
    timeliness_of,
    withdraw,
)
from egov.dossiers.services.batch import ReceiptIn, ReceiptResult, receive_batch
from egov.dossiers.services.inputs import Actor, ApplicantIn, applicant_from_account
from egov.dossiers.services.intake import (
    receive_dossier,
    receive_dossier_once,
    refuse_dossier,
    request_fingerprint,
    request_supplement_at_desk,
    submit_online,
    version_label,
)
from egov.dossiers.services.papers import PaperIn, check_papers, missing_papers
from egov.dossiers.services.permissions import may_act
from egov.dossiers.services.plan import StepPlan, plan_for, plan_of
from egov.dossiers.services.signed_forms import issued_form
from egov.dossiers.workflow import Action


def perform(actor: Actor, action: Action | str, dossier: Dossier, **kwargs: Any) -> Any:
    """Do ``action`` by name (bulk actions in worklists, the API): the service its
    registry row names."""
    # The registry also names the pages' forms and the API's schemas, which import
    # this package: read it when called, not when this package loads.
    from egov.dossiers.registry import MOVES

    return MOVES[Action(action)].service(actor, dossier, **kwargs)


__all__ = [
    "Actor",
    "ApplicantIn",
    "PaperIn",
    "PermissionDenied",
    "ReceiptIn",
    "ReceiptResult",
    "StepPlan",
    "ValidationError",
    "accept_online",
    "answer_consultation",
    "apology_offered",
    "applicant_from_account",
    "check_papers",
    "confirm_payment",
    "consult_agency",
    "forward",
    "issue_apology",
    "issued_form",
    "mark_result_ready",
    "may_act",
    "missing_papers",
    "needs_apology",
    "perform",
    "plan_for",
    "plan_of",
    "receive_batch",
    "receive_dossier",
    "receive_dossier_once",
    "receive_supplement",
    "refuse",
    "refuse_dossier",
    "request_fingerprint",
    "request_payment",
    "request_supplement",
    "request_supplement_at_desk",
    "return_result",
    "send_back",
    "stop_processing",
    "submit_online",
    "timeliness_of",
    "version_label",
    "withdraw",
]
