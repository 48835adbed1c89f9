"""Staff JSON API of the 766 index, mounted at ``/api/v1/quality``. Same access as
the page: leaders of the unit's subtree and the province."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from typing import Any

from django.http import HttpRequest
from ninja import Router

from egov.accounts.api_auth import staff_auth
from egov.core.schemas import ErrorOut
from egov.quality import index, views

router = Router(auth=staff_auth)
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/index", response={200: dict[str, Any], **ERRORS}, summary="The 766 index")
def index_json(request: HttpRequest, unit: str = "", start: str = "", end: str = "") -> Any:
    """Every indicator of the index for the unit's subtree (default: the first unit
    the person may see) and the period (``YYYY-MM-DD``, both included; default this
    year), with the dossiers and procedures that lowered each one."""
    chosen = views.chosen_unit(request.user, unit or None)
    first, last = views.parse_period(start or None, end or None)
    return index.compute(chosen, first, last).as_dict()
