"""National identity sign-in: links to the identity provider, citizen profiles,
and the state of the local simulator of the provider."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

# Profile fields a person may see; the ones in ``Profile.verified_fields`` came from
# the identity provider and cannot be edited locally.
PROFILE_FIELDS = (
    "full_name",
    "date_of_birth",
    "national_id",
    "tax_code",
    "address",
    "phone",
    "email",
)


class ProfileSource(models.TextChoices):
    LOCAL = "local", _("entered by the account holder")
    IDENTITY_PROVIDER = "idp", _("national identity provider")


class Profile(models.Model):
    """What the platform knows about a citizen or business beyond the account row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_profile"
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("permanent address"), max_length=500, blank=True)
    verified_fields = models.JSONField(
        _("verified fields"),
        default=list,
        blank=True,
        help_text=_("Fields confirmed by the national identity provider (not editable)."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ProfileSource.choices, default=ProfileSource.LOCAL
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class ExternalIdentity(models.Model):
    """An account at the national identity provider linked to a local account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(_("provider"), max_length=40)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="identity_external_provider_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class IdentityProviderDevice(Device):
    """Marks a session as strongly authenticated by the identity provider.

    django-otp treats a session as verified when it holds a device's persistent
    id; this device never accepts a typed code, it only records that the provider
    (which did its own multi-factor check) vouched for the person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The user that this device belongs to."),
    )

    class Meta:
        verbose_name = _("identity provider sign-in")
        verbose_name_plural = _("identity provider sign-ins")

    def verify_token(self, token: str) -> bool:
        return False


# --- simulator of the national identity provider -------------------------------


class SimulatorKey(models.Model):
    """The simulator's RSA signing key, generated once on first use.

    Only the simulator's key lives here (a demo key); a real provider's private key
    never reaches this platform.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("simulator signing key")
        verbose_name_plural = _("simulator signing keys")

    def __str__(self) -> str:
        return self.kid


class SimulatorIdentity(models.Model):
    """A demo person or business the simulator lets one sign in as."""

    subject = models.CharField(_("subject"), max_length=255, unique=True)
    label = models.CharField(_("label"), max_length=255)
    claims = models.JSONField(_("claims"), default=dict)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("simulator identity")
        verbose_name_plural = _("simulator identities")
        ordering = ["position", "subject"]

    def __str__(self) -> str:
        return self.label


class SimulatorGrant(models.Model):
    """An authorization code the simulator issued (stored hashed; single use)."""

    code_hash = models.CharField(max_length=64, unique=True)
    identity = models.ForeignKey(SimulatorIdentity, on_delete=models.CASCADE)
    client_id = models.CharField(max_length=255)
    redirect_uri = models.CharField(max_length=1000)
    scope = models.CharField(max_length=500, blank=True)
    nonce = models.CharField(max_length=255, blank=True)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10, default="S256")
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.identity_id}@{self.created_at:%Y-%m-%d %H:%M:%S}"
