"""The terms of receipt: one call answers desk, papers, plan, due date and fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from egov.core.workcalendar import get_calendar, working_day_hours
from egov.procedures import services
from egov.procedures.models import ProcedureVersion
from egov.procedures.selectors import default_process_steps, one_stop_desk
from egov.procedures.terms import terms_of_receipt
from egov.procedures.tests.factories import Org
from egov.procedures.tests.test_process import record_steps

pytestmark = pytest.mark.django_db

MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_one_working_day_length_for_the_calendar_and_the_catalogue() -> None:
    hours = Decimal(get_calendar().working_day_length.total_seconds()) / 3600
    assert working_day_hours() == hours == Decimal("7.50")


def test_terms_without_a_template_follow_the_default_process(
    org: Org, birth: ProcedureVersion, django_assert_num_queries: Any
) -> None:
    terms_of_receipt(birth, org.vinh_thanh)  # fills the cache of the published version
    with django_assert_num_queries(1):  # desk and template together
        terms = terms_of_receipt(birth, org.vinh_thanh, MONDAY_9)
    with django_assert_num_queries(0):  # the default process is computed
        plan = terms.plan
    assert terms.desk == org.vinh_thanh_desk == one_stop_desk(org.vinh_thanh)
    assert terms.template_id is None
    expected = default_process_steps(birth, org.vinh_thanh)
    assert [(s.name, s.unit, s.hours) for s in plan] == [
        (s.name, s.unit, s.hours) for s in expected
    ]
    assert [s.position for s in plan] == [1, 2, 3, 4]
    assert terms.first_step.unit == org.vinh_thanh_desk
    assert [p.name for p in terms.papers] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    # One working day: the same clock time on the next working day.
    assert terms.due_at == dt.datetime(2026, 3, 3, 9, 0, tzinfo=MONDAY_9.tzinfo)
    assert terms.limit_hours == Decimal("7.50")
    assert terms.fee() == 0
    terms.check()


def test_an_agency_without_a_desk_receives_itself(org: Org, birth: ProcedureVersion) -> None:
    terms = terms_of_receipt(birth, org.minh_luong)
    assert terms.desk == org.minh_luong
    assert terms.first_step.unit == org.minh_luong


def test_terms_with_a_template_read_its_steps_once(
    org: Org, criminal_record: ProcedureVersion, django_assert_num_queries: Any
) -> None:
    template = services.define_process_template(
        None, criminal_record.procedure, org.justice, record_steps(org)
    )
    terms = terms_of_receipt(criminal_record, org.justice, MONDAY_9)
    assert terms.template_id == template.pk
    with django_assert_num_queries(1):
        assert [s.name for s in terms.plan][:2] == ["Tiếp nhận hồ sơ", "Thẩm định"]
        assert terms.first_step.step is not None
        assert terms.first_step.unit == org.justice_desk
    assert terms.desk == org.justice_desk
    assert terms.fee({"applicant": "sinh_vien", "extra_copies": 2}) == 110000


def test_terms_refuse_an_agency_that_does_not_carry_the_procedure_out(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    with pytest.raises(ValidationError) as refused:
        terms_of_receipt(criminal_record, org.vinh_thanh).check()
    assert "agency" in refused.value.message_dict
