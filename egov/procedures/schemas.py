"""API schemas of the public procedure catalogue (``/api/v1/procedures``).

The names of a procedure and its papers start with ``Catalogue``: the dossiers API has
its own ``ProcedureOut`` and ``PaperOut``, and the OpenAPI document keeps one schema
per name (the catalogue's detail was documented with the dossier's three fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class FieldOut(Schema):
    code: str = Field(description="Code of the field (lĩnh vực), e.g. `ho-tich`.")
    name: str
    name_en: str = Field(
        description="The field's name in English, as the staff pages set it; empty when none "
        "was given (show `name` then)."
    )


class ProcedureSummaryOut(Schema):
    national_code: str = Field(description="Code in the national database, e.g. `1.001193`.")
    name: str
    name_en: str = Field(
        description="The procedure's name in English, as the staff pages set it; empty when none "
        "was given (show `name` then)."
    )
    field: FieldOut
    levels: list[str] = Field(
        description="Levels of agency that handle it: `province`, `provincial_agency`, "
        "`district`, `district_agency`, `commune`."
    )
    online_level: int = Field(
        description="Online service level 1-4 (Nghị định 43/2011): 1 information, 2 forms "
        "to download, 3 submit online, 4 submit, pay and receive online."
    )
    online_service: str | None = Field(
        description="The same in the vocabulary of Nghị định 42/2022: `toàn trình` (level "
        "4), `một phần` (level 3), null below."
    )
    time_limit: float = Field(description="Legal time limit, in `time_limit_unit`.")
    time_limit_unit: str = Field(description="`working_days` or `working_hours`.")
    time_limit_hours: float = Field(
        description="The limit in working hours (working days × the hours of a working day)."
    )
    fee_total: int = Field(
        description="Fees and charges in đồng with every rule at its default input."
    )
    version: int = Field(description="Number of the version in force.")
    published_at: dt.datetime | None


class ProcedurePageOut(Schema):
    count: int = Field(description="Procedures matching, over all pages.")
    page: int
    page_size: int
    pages: int
    items: list[ProcedureSummaryOut]


class CataloguePaperOut(Schema):
    position: int
    name: str
    name_en: str = Field(
        description="The paper's name in English, as the staff pages set it; empty when none "
        "was given (show `name` then)."
    )
    copies: int
    form: str = Field(description="`original`, `certified_copy` or `photocopy`.")
    form_label: str
    template_name: str = Field(description="Name of the form template to fill in, if any.")
    is_optional: bool = Field(description="Only needed in some cases.")
    is_declaration: bool = Field(
        description="The paper is the applicant's declaration (tờ khai): an online "
        "submission whose declaration form is filled in needs no file for it."
    )


class FeeOut(Schema):
    name: str
    amount: int | None = Field(description="Fixed amount in đồng; null for a rule.")
    rule: dict[str, Any] | None = Field(
        description="Rule computing the amount from the request's inputs (see fee_inputs): "
        "`per_unit` or `tiers` over a quantity input, or a `table` of choices."
    )
    note: str
    description: str = Field(description="The fee in words.")


class FeeInputOut(Schema):
    name: str
    unit: str
    default: int | str
    choices: dict[str, str] = Field(
        description="For a choice input: choice → label; empty for a quantity."
    )


class AgencyOut(Schema):
    code: str = Field(description="Electronic identifier code (mã định danh).")
    name: str
    name_en: str = Field(
        description="The agency's name in English, as the staff pages set it; empty when none "
        "was given (show `name` then)."
    )
    level: str


class CatalogueProcedureOut(ProcedureSummaryOut):
    papers: list[CataloguePaperOut]
    fees: list[FeeOut]
    fee_inputs: list[FeeInputOut]
    result_type: str
    legal_basis: str
    agencies: list[AgencyOut]
