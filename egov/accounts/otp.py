"""Reading TOTP devices and presenting their secret (QR code, base32 text).

Writes (enrolment, confirmation, removal) are in :mod:`egov.accounts.services`.
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from typing import Any

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any (the platform keeps at most one)."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()


def pending_device(user: Any) -> TOTPDevice | None:
    """The authenticator being enrolled (created but not yet confirmed), if any."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-id").first()


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps accept it for manual entry."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, easier to type by hand."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return str(device.config_url)


def qr_code_svg(text: str, title: str = "") -> str:
    """``text`` as an inline SVG QR code, drawn locally (no outside service).

    The XML prologue is dropped so the result can sit inside HTML; a ``<title>``
    gives screen readers a name for the image.
    """
    # qrcode brings Pillow and lxml: loaded when a code is drawn, not in every worker.
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=4,
    )
    svg = str(image.to_string(encoding="unicode"))
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'\swidth="[^"]*"\s+height="[^"]*"', ' width="240" height="240"', svg, count=1)
    label = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{label}" class="qr-code" ',
        1,
    )


def throttle_wait_seconds(device: TOTPDevice) -> int:
    """Seconds before the device accepts another code after wrong ones (0 if now)."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or not info.get("locked_until"):
        return 0
    remaining = (info["locked_until"] - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def throttle_until_text(device: TOTPDevice) -> str:
    """Local time (HH:MM:SS) from which the device accepts a code again."""
    allowed, info = device.verify_is_allowed()
    until = timezone.now() if allowed or not info else info.get("locked_until", timezone.now())
    return str(timezone.localtime(until).strftime("%H:%M:%S"))
