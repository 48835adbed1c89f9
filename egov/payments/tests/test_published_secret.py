"""Finding 2 of the security review: a notification signed with the secret that
was once published as the default never marks a dossier paid."""

from __future__ import annotations

from egov.core.checks import PUBLISHED_VALUES
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import World
from egov.payments.models import PaymentStatus
from egov.payments.tests.test_flow import notify, open_payment, success_body

OLD_DEFAULT = "dev-only-paygov-secret-change-me"


def test_a_callback_forged_with_the_old_published_default_is_refused(
    world: World, dossier: Dossier, settings: object
) -> None:
    assert OLD_DEFAULT in PUBLISHED_VALUES
    settings.EGOV_PAYGOV_SECRET = "a-real-secret-agreed-with-the-payment-platform"  # type: ignore[attr-defined]
    payment = open_payment(world, dossier)
    assert notify(success_body(payment), secret=OLD_DEFAULT)["code"] == "97"
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert dossier.status == Status.AWAITING_PAYMENT
    # The real secret still works: the refusal is the signature's, not the route's.
    assert notify(success_body(payment))["code"] == "00"


def test_the_demo_generates_a_secret_nobody_published(settings: object) -> None:
    value = settings.EGOV_PAYGOV_SECRET  # type: ignore[attr-defined]
    assert value and value not in PUBLISHED_VALUES and len(value) >= 40
