"""Request and response bodies of the staff dossier API (``/api/v1/dossiers``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from egov.core.schemas import ErrorOut

PaperFormValue = Literal["original", "certified_copy", "photocopy", ""]


# --- input ----------------------------------------------------------------------------


class ApplicantIn(Schema):
    name: str = Field(max_length=255, description="Full name of the person or organisation.")
    id_number: str = Field(
        max_length=20,
        description="Citizen ID number (CCCD, 12 digits) or tax code (10 digits, or "
        "13 for a branch: 0123456789-001).",
        examples=["091190004321"],
    )
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)


class PaperIn(Schema):
    required_paper: int | None = Field(
        default=None,
        description="Id of the paper in the procedure's list (`RequiredPaper`); or give "
        "`name` (a paper of the list by its exact name, or any other paper).",
    )
    name: str = Field(default="", max_length=500)
    copies: int = Field(default=1, ge=1, le=99)
    form: PaperFormValue = Field(
        default="", description="Original, certified copy or photocopy; default: as required."
    )
    origin: Literal[
        "", "desk_scan", "upload", "wallet", "national_store", "lookup", "prefilled"
    ] = Field(
        default="",
        description="Where the paper's content came from (once-only principle): digitised at "
        "the desk, uploaded, the applicant's wallet, the national document store, a database "
        "lookup, a pre-filled e-form; default: a file given at the desk is `desk_scan`.",
    )


class DossierCreateIn(Schema):
    """A dossier received at the desk (channel 1) or by post (channel 3)."""

    procedure: str = Field(
        description="National code of the procedure (its published version applies), "
        "e.g. `1.001193`.",
        max_length=30,
    )
    agency: str = Field(
        description="Identifier code of the receiving agency, e.g. `000.00.33.H33`.",
        max_length=40,
    )
    channel: Literal[1, 3] = Field(default=1, description="1 at the desk, 3 by post.")
    applicant: ApplicantIn
    papers: list[PaperIn] = Field(default_factory=list, max_length=100)
    received_at: dt.datetime | None = Field(
        default=None, description="Receipt time (default: now); never in the future."
    )
    fee_inputs: dict[str, int | str] | None = Field(
        default=None, description="Inputs of the procedure's fee rules (e.g. pages, copies)."
    )
    note: str = Field(default="", max_length=2000)


class VersionIn(Schema):
    expected_version: int = Field(
        ge=1,
        description="The `version` of the dossier as you read it; a different current "
        "version answers 409 `stale`.",
    )


class AcceptIn(VersionIn):
    note: str = Field(default="", max_length=2000)
    fee_inputs: dict[str, int | str] | None = None


class RefuseIn(VersionIn):
    reasons: str = Field(max_length=2000)


class ForwardIn(VersionIn):
    to_user: str | None = Field(
        default=None, description="User name of the person at the next step (optional)."
    )
    note: str = Field(default="", max_length=2000)


class SendBackIn(VersionIn):
    reason: str = Field(max_length=2000)
    to_user: str | None = None


class RequestSupplementIn(VersionIn):
    missing_papers: list[str] = Field(default_factory=list, max_length=50)
    reason: str = Field(default="", max_length=2000)


class ReceiveSupplementIn(VersionIn):
    papers: list[PaperIn] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=2000)


class RequestPaymentIn(VersionIn):
    amount: int = Field(gt=0, description="Whole đồng.")
    note: str = Field(default="", max_length=2000)


class ConfirmPaymentIn(VersionIn):
    amount: int = Field(gt=0, description="Whole đồng paid.")
    reference: str = Field(max_length=200, description="Receipt or transaction reference.")


class ConsultIn(VersionIn):
    unit: str = Field(
        max_length=40, description="Identifier code of the agency (or its unit) consulted."
    )
    note: str = Field(max_length=2000)


class AnswerConsultationIn(VersionIn):
    note: str = Field(max_length=2000)
    files: list[PaperIn] = Field(default_factory=list, max_length=50)


class ReasonIn(VersionIn):
    reason: str = Field(max_length=2000)


class ResultReadyIn(VersionIn):
    result_papers: list[PaperIn] = Field(default_factory=list, max_length=50)
    note: str = Field(default="", max_length=2000)


class NoteIn(VersionIn):
    note: str = Field(default="", max_length=2000)


class ApologyIn(VersionIn):
    reason: str = Field(max_length=2000)
    new_due_at: dt.datetime = Field(description="The new appointment (with time zone).")


# --- output ---------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str


class PersonOut(Schema):
    username: str
    full_name: str


class ProcedureOut(Schema):
    code: str = Field(description="National code.")
    name: str
    version: int


class StepOut(Schema):
    position: int
    name: str
    role: str


class ApplicantOut(Schema):
    name: str
    id_number: str
    address: str
    phone: str
    email: str


class PaperOut(Schema):
    name: str
    copies: int
    form: str
    required_paper: int | None
    received: bool
    is_result: bool
    is_draft: bool = Field(description="A draft of the result handed on for signature.")
    has_file: bool


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: int | None
    to_status: int
    from_unit: UnitOut | None
    to_unit: UnitOut | None
    actor: PersonOut | None = Field(description="Who acted (handed over); none for a system.")
    to_user: PersonOut | None = Field(description="Who received it, when named.")
    step_position: int | None
    step_name: str
    step_due_at: dt.datetime | None
    note: str


class ApologyOut(Schema):
    issued_at: dt.datetime
    reason: str
    previous_due_at: dt.datetime
    new_due_at: dt.datetime
    issued_by: PersonOut
    issuing_unit: UnitOut
    number: str = Field(
        "", description="Number and symbol when issued as an official document, or ''."
    )


class DossierSummaryOut(Schema):
    code: str
    version: int = Field(description="Send it back as `expected_version` with a move.")
    status: int = Field(description="National status code 1–10.")
    status_label: str
    channel: int
    procedure: ProcedureOut
    receiving_agency: UnitOut
    current_unit: UnitOut | None
    current_assignee: PersonOut | None
    applicant_name: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="The appointment (with any new date).")
    step_due_at: dt.datetime | None
    is_overdue: bool
    is_due_soon: bool


class DossierOut(DossierSummaryOut):
    receiving_unit: UnitOut
    applicant: ApplicantOut
    original_due_at: dt.datetime | None
    paused_at: dt.datetime | None = Field(description="When the clock stopped (5, 6).")
    remaining_seconds: int | None = Field(description="Working time left when it stopped.")
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    closed_at: dt.datetime | None
    timeliness: str = Field(description="`early`, `on_time`, `late`, or empty until ready.")
    fee_amount: int
    payment_requested: int | None
    step: StepOut | None
    consult_origin_unit: UnitOut | None = Field(
        description="While another agency handles it: the unit it returns to."
    )
    needs_apology: bool = Field(description="Late or due now with no apology letter (form 04).")
    papers: list[PaperOut]
    events: list[EventOut]
    apologies: list[ApologyOut]


class DossierListOut(Schema):
    count: int
    items: list[DossierSummaryOut]


class MissingPaperOut(Schema):
    required_paper: int
    name: str
    copies_required: int
    copies_given: int
    form_required: str
    reason: Literal["missing", "not_enough_copies", "wrong_form"]


class IncompleteOut(ErrorOut):
    """422 ``incomplete_dossier``: what is missing; nothing was recorded."""

    missing: list[MissingPaperOut] = Field(default_factory=list)
