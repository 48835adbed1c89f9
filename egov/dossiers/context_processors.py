from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def staff_menu(request: HttpRequest) -> dict[str, object]:
    """Menu flags of the one-stop pages, evaluated only by templates that show them."""

    def user() -> object | None:
        candidate = getattr(request, "user", None)
        return candidate if candidate is not None and candidate.is_authenticated else None

    def can_view_statistics() -> bool:
        from egov.dossiers.stats.figures import can_view_statistics as allowed

        person = user()
        return bool(person is not None and allowed(person))

    def can_edit_forms() -> bool:
        from egov.accounts.permissions import Perm, has_perm_in_unit

        person = user()
        return bool(person is not None and has_perm_in_unit(person, Perm.OPERATE_PLATFORM, None))

    def can_answer_questions() -> bool:
        from egov.feedback.selectors import answerable_agencies

        person = user()
        return bool(person is not None and answerable_agencies(person).exists())

    def can_reconcile_payments() -> bool:
        from egov.payments.selectors import may_reconcile

        person = user()
        return bool(person is not None and may_reconcile(person))

    def can_view_notifications() -> bool:
        from egov.notifications.selectors import may_view_log

        person = user()
        return bool(person is not None and may_view_log(person))

    return {
        "can_view_statistics": SimpleLazyObject(can_view_statistics),
        "can_edit_forms": SimpleLazyObject(can_edit_forms),
        "can_answer_questions": SimpleLazyObject(can_answer_questions),
        "can_reconcile_payments": SimpleLazyObject(can_reconcile_payments),
        "can_view_notifications": SimpleLazyObject(can_view_notifications),
    }
