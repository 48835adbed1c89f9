"""Who may see the integration platform's staff pages: platform operators and
superusers only (the log holds other systems' exchanges)."""

from __future__ import annotations

from typing import Any

from egov.accounts.permissions import Perm, has_perm_in_unit


def is_operator(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None)
