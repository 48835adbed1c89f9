"""Drafting, publishing and versioning procedures through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import translation

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.core.models import AuditEntry
from egov.procedures import services
from egov.procedures.models import (
    Procedure,
    ProcedureField,
    ProcedureVersion,
    RequiredPaper,
    VersionStatus,
)
from egov.procedures.selectors import (
    fee_for,
    online_vocabulary,
    published_version,
    time_limit_hours,
    working_day_hours,
)
from egov.procedures.tests.factories import MakeUser, Org, birth_content, record_content

pytestmark = pytest.mark.django_db


def test_operator_drafts_and_publishes_a_procedure(
    org: Org, fields: dict[str, ProcedureField], operator: User
) -> None:
    draft = services.create_draft(operator, "1.001193", **birth_content(org))
    assert draft.status == VersionStatus.DRAFT
    assert draft.number == 1
    assert draft.created_by == operator
    assert [p.name for p in draft.papers.all()] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert [p.position for p in draft.papers.all()] == [1, 2]
    assert set(draft.agencies.all()) == {org.vinh_thanh, org.vinh_quang, org.minh_luong}
    assert draft.search_key == "1.001193 dang ky khai sinh"
    assert published_version("1.001193") is None

    published = services.publish_version(operator, draft)
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_at is not None
    assert published_version("1.001193") == published

    actions = list(
        AuditEntry.objects.filter(action__startswith="procedures.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "procedures.procedure_create",
        "procedures.draft_create",
        "procedures.version_publish",
    ]
    created = AuditEntry.objects.get(action="procedures.draft_create")
    assert created.actor == operator
    assert created.changes["name"] == [None, "Đăng ký khai sinh"]


def test_publishing_a_new_version_replaces_the_old_one(
    org: Org, birth: ProcedureVersion, operator: User
) -> None:
    draft = services.new_version_from(operator, birth)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.name == birth.name
    assert draft.fees == birth.fees
    assert [p.name for p in draft.papers.all()] == [p.name for p in birth.papers.all()]
    assert set(draft.agencies.all()) == set(birth.agencies.all())
    # the copy is independent: the published version's papers are untouched
    services.add_paper(operator, draft, name="Văn bản ủy quyền", form="certified_copy")
    assert birth.papers.count() == 2
    assert draft.papers.count() == 3
    assert draft.papers.order_by("position").last().position == 3  # type: ignore[union-attr]

    services.update_draft(operator, draft, time_limit="2", name="Đăng ký khai sinh (mới)")
    new = services.publish_version(operator, draft)
    birth.refresh_from_db()
    assert birth.status == VersionStatus.REPLACED
    assert birth.replaced_at == new.published_at
    assert published_version("1.001193") == new
    assert new.search_key == "1.001193 dang ky khai sinh (moi)"
    assert ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 1


def test_database_allows_one_published_version_per_procedure(birth: ProcedureVersion) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureVersion.objects.create(
            procedure=birth.procedure,
            number=9,
            status=VersionStatus.PUBLISHED,
            name="x",
            field=birth.field,
            time_limit=1,
        )


def test_only_one_draft_at_a_time_and_only_drafts_change(
    org: Org, birth: ProcedureVersion, operator: User
) -> None:
    draft = services.new_version_from(operator, birth)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="already has a draft"):
            services.new_version_from(operator, birth)
        with pytest.raises(ValidationError, match="already has a draft"):
            services.create_draft(operator, "1.001193", **birth_content(org))
        with pytest.raises(ValidationError, match="only a draft can be changed"):
            services.update_draft(operator, birth, name="Khác")
        with pytest.raises(ValidationError, match="only a draft"):
            services.publish_version(operator, birth)
        with pytest.raises(ValidationError, match="itself a draft"):
            services.new_version_from(operator, draft)
    services.delete_draft(operator, draft)
    assert not ProcedureVersion.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(action="procedures.draft_delete").count() == 1


def test_validation_names_each_field(org: Org, fields: dict[str, ProcedureField]) -> None:
    content = birth_content(
        org,
        name="",
        field="khong-co",
        levels=["commune", "internal", "commune"],
        online_level=5,
        time_limit="0",
        fees=[{"name": "Lệ phí", "amount": -1}],
        papers=[{"name": "Tờ khai", "copies": 0, "form": "scan"}],
        agencies=["999.99.99.H33"],
        colour="red",
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_draft(None, "1.001193", **content)
    errors = caught.value.message_dict
    assert errors["name"] == ["This field is required."]
    assert errors["field"] == ["No field with the code khong-co."]
    assert any("levels[1]" in m and "not a level of agency" in m for m in errors["levels"])
    assert any("levels[2]" in m and "twice" in m for m in errors["levels"])
    assert errors["online_level"] == ["Must be a whole number from 1 to 4."]
    assert errors["time_limit"] == ["The time limit must be a number larger than 0."]
    assert errors["fees"] == ["fees[0].amount: Must be a whole number of đồng, 0 or more."]
    assert "papers[0].copies: Must be a whole number from 1 to 100." in errors["papers"]
    assert any(m.startswith("papers[0].form: Must be one of") for m in errors["papers"])
    assert errors["colour"] == ["Unknown key."]
    assert Procedure.objects.count() == 0


def test_agencies_must_be_at_the_procedure_levels(
    org: Org, fields: dict[str, ProcedureField]
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_draft(None, "1.001193", **birth_content(org, agencies=[org.justice.code]))
    (message,) = caught.value.message_dict["agencies"]
    assert message.startswith("agencies[0]: Sở Tư pháp (000.00.03.H33) is at the level")
    # by code, any case, resolves
    draft = services.create_draft(
        None, "1.001193", **birth_content(org, agencies=[org.vinh_thanh.code.lower()])
    )
    assert list(draft.agencies.all()) == [org.vinh_thanh]


def test_publishing_needs_an_agency(org: Org, fields: dict[str, ProcedureField]) -> None:
    draft = services.create_draft(None, "1.001193", **birth_content(org, agencies=[]))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.publish_version(None, draft)
    assert caught.value.message_dict["agencies"] == [
        "Name at least one agency that carries the procedure out."
    ]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_only_platform_operators_edit_the_catalogue(
    org: Org,
    fields: dict[str, ProcedureField],
    make_staff: MakeUser,
    rach_gia_admin: User,
) -> None:
    clerk = make_staff("motcua", RoleCode.ONE_STOP_CLERK, org.vinh_thanh)
    for user in (clerk, rach_gia_admin):
        with pytest.raises(PermissionDenied):
            services.create_draft(user, "1.001193", **birth_content(org))
        with pytest.raises(PermissionDenied):
            services.create_field(user, "dat-dai", "Đất đai")
    assert Procedure.objects.count() == 0


def test_fields_are_created_and_renamed(operator: User) -> None:
    field = services.create_field(operator, "Dat-Dai", "Đất đai")
    assert field.code == "dat-dai"
    services.update_field(operator, field, name="Đất đai (đăng ký)")
    field.refresh_from_db()
    assert field.name == "Đất đai (đăng ký)"
    with pytest.raises(ValidationError):
        services.create_field(operator, "dat-dai", "Trùng")
    with pytest.raises(ValidationError):
        services.create_field(operator, "có dấu", "x")


def test_replace_papers_keeps_the_given_order(birth: ProcedureVersion, operator: User) -> None:
    draft = services.new_version_from(operator, birth)
    services.replace_papers(
        operator,
        draft,
        [
            {"name": "Giấy chứng sinh", "form": "original"},
            {"name": "CCCD của người đi đăng ký", "form": "photocopy", "is_optional": True},
        ],
    )
    papers = list(RequiredPaper.objects.filter(version=draft).order_by("position"))
    assert [(p.position, p.name, p.is_optional) for p in papers] == [
        (1, "Giấy chứng sinh", False),
        (2, "CCCD của người đi đăng ký", True),
    ]


def test_time_limit_in_working_hours(org: Org, fields: dict[str, ProcedureField]) -> None:
    assert working_day_hours() == Decimal("7.50")
    version = services.create_draft(None, "2.000488", **record_content(org))
    assert time_limit_hours(version) == Decimal("75.00")
    services.update_draft(None, version, time_limit="0.5")
    version.refresh_from_db()
    assert time_limit_hours(version) == Decimal("3.75")
    services.update_draft(None, version, time_limit="4", time_limit_unit="working_hours")
    version.refresh_from_db()
    assert time_limit_hours(version) == Decimal("4.00")
    with override_settings(EGOV_OFFICE_HOURS="07:00-11:00,13:00-17:00"):
        services.update_draft(None, version, time_limit="2", time_limit_unit="working_days")
        version.refresh_from_db()
        assert working_day_hours() == Decimal("8.00")
        assert time_limit_hours(version) == Decimal("16.00")


def test_fee_for_a_version(criminal_record: ProcedureVersion) -> None:
    assert fee_for(criminal_record) == 200000
    assert fee_for(criminal_record, {"applicant": "sinh_vien", "extra_copies": 3}) == 115000
    assert fee_for(criminal_record, {"unrelated": "x"}) == 200000


def test_online_vocabulary_of_nd_42_2022() -> None:
    assert online_vocabulary(4) == "toàn trình"
    assert online_vocabulary(3) == "một phần"
    assert online_vocabulary(2) is None
    assert online_vocabulary(1) is None
    assert online_vocabulary(None) is None


def test_publication_data_is_checked_and_not_copied_to_a_new_version(
    org: Org, fields: dict[str, ProcedureField], operator: User
) -> None:
    bad = birth_content(
        org,
        publication={
            "decided_on": "09/02/2026",
            "posted_on": "2026-02-01",
            "effective_on": "2026-02-20",
            "colour": "red",
            "demo": "yes",
        },
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_draft(operator, "1.001193", **bad)
    messages = caught.value.message_dict["publication"]
    assert "publication.decided_on: Write the date as YYYY-MM-DD." in messages
    assert "publication.colour: Unknown key." in messages
    assert "publication.demo: Must be true or false." in messages

    backwards = birth_content(
        org, publication={"decided_on": "2026-02-09", "posted_on": "2026-02-01"}
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_draft(operator, "1.001193", **backwards)
    assert caught.value.message_dict["publication"] == [
        "publication.posted_on: The procedure cannot be posted before the decision publishing it."
    ]

    good = {
        "decision": " 12/QĐ-UBND ",
        "decided_on": "2026-02-09",
        "effective_on": "2026-02-20",
        "posted_on": "2026-02-23",
        "demo": False,
        "note": "",
    }
    draft = services.create_draft(operator, "1.001193", **birth_content(org, publication=good))
    assert draft.publication == {
        "decision": "12/QĐ-UBND",
        "decided_on": "2026-02-09",
        "effective_on": "2026-02-20",
        "posted_on": "2026-02-23",
    }
    published = services.publish_version(operator, draft)
    # A new version is made public by a decision of its own.
    assert services.new_version_from(operator, published).publication == {}
