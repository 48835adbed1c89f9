"""What ``manage.py make_test_pki`` does (idempotent): the demo authorities, a key
in a token and a certificate for each demo signer and agency, their remote-signing
accounts, two signers that verification must reject (revoked, expired), the trust
anchor and revocation sources as operator data, and demo signature/seal images.

Signers are the staff holding a signing role (agency leader, unit head) in the
organisation; agencies are the units they hold it in.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings

from egov.signatures import pki, services, tokens
from egov.signatures.models import ImageKind, KeyKind, RevocationKind, SignatureImage, SigningKey

SIGNING_ROLES = ("agency_leader", "unit_head")
PERSONAL_KEY_LABEL = "sign"


@dataclass
class Made:
    agencies: list[str] = field(default_factory=list)
    token_signers: list[str] = field(default_factory=list)
    remote_signers: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def personal_token_label(username: str) -> str:
    return f"egov-{username}"[: tokens.MAX_LABEL]


def signers() -> list[tuple[Any, Any, str]]:
    """(person, agency, title) of each staff member holding a signing role."""
    from egov.accounts.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(role__code__in=SIGNING_ROLES, revoked_at__isnull=True)
        .select_related("user", "unit", "role")
        .order_by("user__username")
    )
    seen: set[int] = set()
    found = []
    for row in rows:
        if row.user_id in seen or not row.user.is_active:
            continue
        seen.add(row.user_id)
        found.append((row.user, row.unit, row.role.name))
    return found


def _chain(ca: pki.Issued) -> list[bytes]:
    return [ca.der]


def _valid_key(**owner: Any) -> SigningKey | None:
    from django.utils import timezone

    return (
        SigningKey.objects.filter(is_active=True, not_after__gt=timezone.now(), **owner)
        .order_by("-created_at")
        .first()
    )


def _token_key(token_label: str, pin: str, key_label: str) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    if token_label not in tokens.token_labels():
        tokens.init_token(token_label, pin)
    return load_der_public_key(tokens.generate_key(token_label, pin, key_label))


def make(*, user_pin: str = "", out: Callable[[str], None] = lambda _line: None) -> Made:
    made = Made()
    tokens.ensure_softhsm_store()
    root, ca, _tsa = pki.ensure_authorities()
    services.add_trust_anchor(
        actor=None, name=pki.ROOT_NAME, certificate_der=root.der, is_demo=True
    )
    services.add_revocation_source(
        actor=None,
        name=f"{pki.CA_NAME} — CRL",
        kind=RevocationKind.CRL,
        url=pki.simulator_url("crl"),
        is_demo=True,
    )
    services.add_revocation_source(
        actor=None,
        name=f"{pki.CA_NAME} — OCSP",
        kind=RevocationKind.OCSP,
        url=pki.simulator_url("ocsp"),
        is_demo=True,
    )
    agency_token = str(settings.EGOV_SIGNATURES_AGENCY_TOKEN_LABEL)
    agency_pin = str(settings.EGOV_SIGNATURES_AGENCY_PIN_SECRET or "")
    people = signers()
    agencies = {unit.pk: unit for _user, unit, _title in people}
    for unit in agencies.values():
        if _valid_key(unit=unit, user__isnull=True, kind=KeyKind.AGENCY) is None:
            if not agency_pin:
                made.skipped.append(f"{unit.name}: EGOV_SIGNATURES_AGENCY_PIN_SECRET is empty")
                continue
            key_label = f"agency-{unit.code}"
            public = _token_key(agency_token, agency_pin, key_label)
            cert = pki.issue(public, pki.subject(unit.name, unit.name), ca)
            services.register_key(
                actor=None,
                kind=KeyKind.AGENCY,
                unit=unit,
                certificate_der=cert.public_bytes(serialization.Encoding.DER),
                chain_der=_chain(ca),
                token_label=agency_token,
                key_label=key_label,
            )
        _ensure_image(ImageKind.SEAL, unit=unit, text=unit.short_name or unit.name)
        made.agencies.append(unit.name)
    for user, unit, title in people:
        name = user.get_full_name() or user.get_username()
        subject = pki.subject(name, unit.name, title)
        if _valid_key(user=user, kind=KeyKind.TOKEN) is None:
            if user_pin:
                label = personal_token_label(user.get_username())
                public = _token_key(label, user_pin, PERSONAL_KEY_LABEL)
                cert = pki.issue(public, subject, ca)
                services.register_key(
                    actor=None,
                    kind=KeyKind.TOKEN,
                    user=user,
                    certificate_der=cert.public_bytes(serialization.Encoding.DER),
                    chain_der=_chain(ca),
                    token_label=label,
                    key_label=PERSONAL_KEY_LABEL,
                    title=title,
                )
            else:
                made.skipped.append(f"{user.get_username()}: token (no --user-pin given)")
        if _valid_key(user=user, kind=KeyKind.TOKEN) is not None:
            made.token_signers.append(user.get_username())
        if _valid_key(user=user, kind=KeyKind.REMOTE) is None:
            account = user.get_username()
            held = pki.load_remote_signer(account)
            key = held.key if held and held.key else pki.new_file_key()
            issued = pki.Issued(pki.issue(key.public_key(), subject, ca), key)
            pki.save_remote_signer(account, issued)
            services.register_key(
                actor=None,
                kind=KeyKind.REMOTE,
                user=user,
                certificate_der=issued.der,
                chain_der=_chain(ca),
                remote_account=account,
                title=title,
            )
        made.remote_signers.append(user.get_username())
        _ensure_image(ImageKind.SIGNATURE, user=user, text=name)
    _ensure_rejected_signers(ca)
    out(f"Test PKI in {pki.pki_dir()}: root, CA, TSA; anchors and revocation sources recorded.")
    return made


def _ensure_rejected_signers(ca: pki.Issued) -> None:
    """A revoked and an expired signer (file keys), to show what verification says."""
    if pki.load_test_signer("revoked") is None:
        key = pki.new_file_key()
        cert = pki.issue(key.public_key(), pki.subject("Người ký bị thu hồi", pki.ORGANISATION), ca)
        pki.save_test_signer("revoked", pki.Issued(cert, key))
        pki.revoke(cert, pki.now() - dt.timedelta(minutes=10))
    if pki.load_test_signer("expired") is None:
        key = pki.new_file_key()
        start = pki.now() - dt.timedelta(days=400)
        cert = pki.issue(
            key.public_key(),
            pki.subject("Người ký hết hạn", pki.ORGANISATION),
            ca,
            not_before=start,
            not_after=start + dt.timedelta(days=30),
        )
        pki.save_test_signer("expired", pki.Issued(cert, key))


# --- demo images -------------------------------------------------------------------------


def _ensure_image(kind: str, *, text: str, user: Any = None, unit: Any = None) -> None:
    owner = {"user": user} if user is not None else {"unit": unit, "user__isnull": True}
    if SignatureImage.objects.filter(kind=kind, **owner).exists():
        return
    data = demo_seal_png(text) if kind == ImageKind.SEAL else demo_signature_png(text)
    services.upload_image(actor=None, kind=kind, data=data, user=user, unit=unit)


def demo_signature_png(name: str) -> bytes:
    """A blue hand-drawn-looking stroke with the person's initials (transparent)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    blue = (20, 50, 170, 255)
    points = [(40 + i * 10, 150 + int(45 * ((-1) ** i) * (1 - i / 60))) for i in range(52)]
    draw.line(points, fill=blue, width=7, joint="curve")
    draw.arc((300, 40, 560, 220), start=200, end=520, fill=blue, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def demo_seal_png(agency: str) -> bytes:
    """A red round seal: two rings and a star (transparent, 600 px ≈ 35 mm)."""
    from PIL import Image, ImageDraw

    size = 600
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (210, 20, 30, 230)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=18)
    draw.ellipse((110, 110, size - 110, size - 110), outline=red, width=8)
    centre = size / 2
    import math

    star = []
    for i in range(10):
        radius = 90 if i % 2 == 0 else 36
        angle = math.pi / 2 + i * math.pi / 5
        star.append((centre + radius * math.cos(angle), centre - radius * math.sin(angle)))
    draw.polygon(star, fill=red)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
