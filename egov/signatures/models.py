"""Signing keys (where each key is held, never the key itself), the images of the
visible signature, the trust anchors and revocation sources the operator manages,
and the remote-signing simulator's requests."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyKind(models.TextChoices):
    TOKEN = "token", _("PKCS#11 token of the signer")
    REMOTE = "remote", _("Remote signing service")
    AGENCY = "agency", _("Agency key held by the server")


class SigningKey(models.Model):
    """Where a person's or an agency's key is and its certificate. The private key
    stays in the token (or at the remote service); a PIN is never stored."""

    kind = models.CharField(_("kind"), max_length=10, choices=KeyKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
        verbose_name=_("agency"),
    )
    token_label = models.CharField(_("token label"), max_length=32, blank=True)
    key_label = models.CharField(_("key label"), max_length=64, blank=True)
    remote_account = models.CharField(_("remote signing account"), max_length=100, blank=True)
    certificate = models.BinaryField(_("certificate (DER)"))
    chain = models.BinaryField(_("issuer certificates (concatenated DER)"), default=b"")
    serial = models.CharField(_("serial number"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    title = models.CharField(_("title"), max_length=100, blank=True)
    not_after = models.DateTimeField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(unit__isnull=False),
                name="signingkey_has_owner",
            ),
            models.UniqueConstraint(
                fields=["kind", "user"],
                condition=models.Q(is_active=True, user__isnull=False),
                name="signingkey_one_active_per_person_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "unit"],
                condition=models.Q(is_active=True, user__isnull=True),
                name="signingkey_one_active_per_agency_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_kind_display()})"


class ImageKind(models.TextChoices):
    SIGNATURE = "signature", _("Signature image")
    SEAL = "seal", _("Seal image")


class SignatureImage(models.Model):
    """A person's signature image or an agency's seal (PNG with transparency);
    the newest of each owner and kind is used."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImageKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signature_images",
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="seal_images"
    )
    png = models.BinaryField(_("PNG image"))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signature or seal image")
        verbose_name_plural = _("signature and seal images")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(unit__isnull=False),
                name="signatureimage_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.user or self.unit}"


class TrustAnchor(models.Model):
    """A root certificate the verification trusts (the national root, a recognised
    CA). Chains are built to these cryptographically, never by names."""

    name = models.CharField(_("name"), max_length=255)
    certificate = models.BinaryField(_("certificate (DER)"))
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    is_demo = models.BooleanField(
        _("demo PKI"), default=False, help_text=_("Refused outside the demo.")
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trust anchor")
        verbose_name_plural = _("trust anchors")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def fingerprint(der: bytes) -> str:
        return hashlib.sha256(der).hexdigest()


class RevocationKind(models.TextChoices):
    CRL = "crl", _("CRL")
    OCSP = "ocsp", _("OCSP responder")


class RevocationSource(models.Model):
    """Where revocation information is fetched (a CRL address or an OCSP responder)."""

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=4, choices=RevocationKind.choices)
    url = models.URLField(_("address"), unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    is_demo = models.BooleanField(_("demo PKI"), default=False)

    class Meta:
        verbose_name = _("revocation source")
        verbose_name_plural = _("revocation sources")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class RemoteStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the signer")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class SimulatedRemoteRequest(models.Model):
    """A signing request kept by the remote-signing simulator until the signer
    confirms or refuses it on the simulated phone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.CharField(max_length=100, db_index=True)
    digest = models.CharField(max_length=128)
    digest_algorithm = models.CharField(max_length=20)
    description = models.CharField(max_length=255)
    status = models.CharField(
        max_length=10, choices=RemoteStatus.choices, default=RemoteStatus.PENDING
    )
    signature = models.BinaryField(default=b"")
    callback_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("simulated remote signing request")
        verbose_name_plural = _("simulated remote signing requests")

    def __str__(self) -> str:
        return f"{self.account}: {self.description} ({self.status})"


class RemoteAnswer(models.Model):
    """The remote-signing service's answer about one request, posted to the platform's
    callback (HMAC-checked): read by the signing that waits for it."""

    request_id = models.CharField(max_length=100, primary_key=True)
    status = models.CharField(max_length=10)
    signature = models.BinaryField(default=b"")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("remote signing answer")
        verbose_name_plural = _("remote signing answers")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.status}"
