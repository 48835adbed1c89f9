"""The write path for accounts: staff and their roles, citizen and business
self-registration, passwords and two-step verification (TOTP).

Every function checks who may act, validates, changes state in one transaction and
writes an audit entry in it. Errors a person can fix are raised as
``ValidationError`` (a dict keyed by form field where one applies), refusals as
``PermissionDenied``. ``actor=None`` means the platform itself (management
commands such as the demo loader); pages and the API always pass the signed-in user.
Audit entries never carry passwords, password hashes or TOTP secrets.
"""

from __future__ import annotations

from egov.accounts.services.common import (
    TOTP_DEVICE_NAME,
)
from egov.accounts.services.registration import (
    register_business,
    register_citizen,
    request_registration,
)
from egov.accounts.services.roles import (
    assign_role,
    check_assign_role,
    create_role,
    revoke_role,
    update_role,
)
from egov.accounts.services.security import (
    change_password,
    confirm_totp_enrolment,
    disable_totp,
    record_sign_in,
    start_totp_enrolment,
    verify_totp,
)
from egov.accounts.services.staff import (
    check_new_staff_account,
    create_staff_account,
    may_manage_account,
    reset_totp,
    set_password_by_admin,
    unlock_account,
    update_account,
)

__all__ = [
    "TOTP_DEVICE_NAME",
    "assign_role",
    "change_password",
    "check_assign_role",
    "check_new_staff_account",
    "confirm_totp_enrolment",
    "create_role",
    "create_staff_account",
    "disable_totp",
    "may_manage_account",
    "record_sign_in",
    "register_business",
    "register_citizen",
    "request_registration",
    "reset_totp",
    "revoke_role",
    "set_password_by_admin",
    "start_totp_enrolment",
    "unlock_account",
    "update_account",
    "update_role",
    "verify_totp",
]
