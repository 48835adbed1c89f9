"""Demo only: an agency without a token key signs with a file key of the demo CA;
outside the demo it cannot sign at all."""

from __future__ import annotations

from typing import Any

import pytest

from egov.core.models import Unit, UnitLevel
from egov.exchange.edxml import build, dsig
from egov.exchange.services import common
from egov.exchange.tests.helpers import message
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_demo_agency_key_from_the_demo_ca(settings: Any, pki_settings: Any) -> None:  # noqa: F811
    from egov.signatures.errors import NoSigningKey

    agency = Unit.objects.add_root(
        {"code": "000.00.00.H33", "name": "UBND tỉnh Kiên Giang", "level": UnitLevel.PROVINCE}
    )
    tree = lambda: build.message_tree(message("000.00.00.G22", sender=agency.code))  # noqa: E731
    settings.EGOV_DEMO = False
    with pytest.raises(NoSigningKey):
        common.sign_tree(tree(), agency.code)
    settings.EGOV_DEMO = True
    first = common.sign_tree(tree(), agency.code)
    again = common.sign_tree(tree(), agency.code)
    one, two = dsig.verify(first), dsig.verify(again)
    assert one.valid and two.valid
    assert one.certificates[0] == two.certificates[0]  # made once, kept
