"""Staff people for the browser walks: an account with a password and a confirmed
TOTP device, and the code their phone would show now.

Every walk signs its people in through the real pages (password, then the code),
each in a browser context of their own: the ``staff_tabs`` fixture of this
package's conftest does it. A person signs in at most once per 30-second window
in a walk (the platform refuses a code used twice); give each step its own person.
"""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.core.models import Unit

PASSWORD = "KienGiang2020"
KEY_HEX = "4b69656e4769616e6744656d6f324641323032"  # 19 bytes, any fixed key will do
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def totp_code(key_hex: str = KEY_HEX, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key_hex), step=30, digits=6)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def make_staff(username: str, full_name: str, unit: Unit, role: str) -> User:
    """A staff account holding ``role`` in ``unit``, with the shared password and key."""
    user = User.objects.create_user(username, PASSWORD, full_name=full_name, kind=AccountKind.STAFF)
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), unit=unit)
    TOTPDevice.objects.create(user=user, name="phone", key=KEY_HEX, confirmed=True)
    return user
