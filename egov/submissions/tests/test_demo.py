from __future__ import annotations

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.core.demo_units import load_demo_units
from egov.procedures.demo import load_demo_procedures
from egov.procedures.models import OnlineLevel
from egov.procedures.selectors import published_version
from egov.submissions.demo import FORMS, load_demo_submissions
from egov.submissions.models import FormSchema

pytestmark = pytest.mark.django_db


def test_demo_forms_load_for_online_procedures_and_are_idempotent() -> None:
    ensure_default_roles()
    load_demo_units()
    load_demo_procedures()
    assert load_demo_submissions() == len(FORMS)
    assert load_demo_submissions() == 0
    for code in FORMS:
        version = published_version(code)
        assert version is not None and version.online_level >= OnlineLevel.PARTLY_ONLINE
        assert FormSchema.objects.get(procedure__national_code=code).number == 1
