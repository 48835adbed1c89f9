"""API schemas of the applicant's own space (``/api/v1/me``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class MeUnitRef(Schema):
    code: str
    name: str


class MeProcedureRef(Schema):
    code: str
    name: str


class MeDossierOut(Schema):
    code: str
    version: int = Field(description="Send it back as `version` when acting on the dossier.")
    status: int = Field(description="Status code 1–10 (national portal's table).")
    status_label: str
    needs_action: bool = Field(description="True in statuses 5 (papers) and 6 (payment).")
    procedure: MeProcedureRef
    receiving_agency: MeUnitRef
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="Appointment to return the result.")


class MeDossierListOut(Schema):
    count: int
    items: list[MeDossierOut]


class MeStepOut(Schema):
    at: dt.datetime
    step: str = Field(description="What happened, in plain words.")
    status: int
    status_label: str
    unit: str
    note: str = Field(description="Reason addressed to the applicant, if any.")
    asked: list[str] = Field(description="Papers asked for (supplement requests).")


class MePaperOut(Schema):
    id: int
    name: str
    copies: int
    is_result: bool
    download_url: str | None


class MeFormOut(Schema):
    code: str
    title: str
    url: str


class MeDeliveryOut(Schema):
    method: Literal["desk", "post"] | None
    recipient_name: str
    address: str
    phone: str
    fee: int = Field(description="Postage in đồng (0 at the desk).")
    can_change: bool
    parcel_state: str | None
    tracking_number: str | None


class MeDossierDetailOut(MeDossierOut):
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    payment_requested: int | None
    steps: list[MeStepOut]
    papers: list[MePaperOut]
    results: list[MePaperOut]
    forms: list[MeFormOut]
    supplement_asked: list[str] = Field(description="What the current request asks for.")
    may_supplement: bool
    may_withdraw: bool
    pay_url: str | None
    rate_url: str | None
    delivery: MeDeliveryOut


class MeDeliveryIn(Schema):
    method: Literal["desk", "post"]
    recipient_name: str = ""
    address: str = ""
    phone: str = ""


class PostalCallbackOut(Schema):
    recorded: bool = Field(description="False when this event_id was already recorded.")
    state: str
