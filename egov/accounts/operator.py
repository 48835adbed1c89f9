"""Guard for pages only the platform's operators use (e.g. the simulators' operator
pages): ``staff_required`` first, then the ``platform.operate`` permission."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from egov.accounts.decorators import View, staff_required
from egov.accounts.permissions import Perm, has_perm_in_unit


def operator_required(view: View) -> View:
    """Signed in as staff with the second factor, holding ``platform.operate``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_perm_in_unit(request.user, Perm.OPERATE_PLATFORM, None):
            raise PermissionDenied(_("Only the platform's operators may open this page."))
        return view(request, *args, **kwargs)

    return staff_required(wrapper)  # type: ignore[return-value]
