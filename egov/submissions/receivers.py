"""Listeners: results of a dossier land in its applicant's wallet."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from egov.dossiers.signals import dossier_changed

RESULT_ACTIONS = frozenset({"result_ready", "return_result"})


@receiver(dossier_changed, dispatch_uid="submissions.results_to_wallet")
def results_to_wallet(sender: Any, dossier: Any, action: str = "", **kwargs: Any) -> None:
    """Copy the result papers into the applicant's wallet (inside the dossier's
    transaction: kept only if the change commits)."""
    if action not in RESULT_ACTIONS:
        return
    from egov.submissions.services import collect_results

    collect_results(dossier)
