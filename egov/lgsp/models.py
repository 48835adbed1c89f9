"""The registry of the integration platform (X-Road ideas) and its message log.

Identifiers follow X-Road: a member is ``INSTANCE/MEMBERCLASS/MEMBERCODE``, a
subsystem adds ``/SUBSYSTEM``, a service adds ``/SERVICECODE/VERSION`` to its
provider's subsystem. A consumer is a subsystem that calls services with a
signed token (JWT) verified by the public key registered here; an access right
names one consumer and one service, with its own rate limit and daily quota.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberClass(models.TextChoices):
    GOV = "GOV", _("Government agency")
    COM = "COM", _("Enterprise")
    NGO = "NGO", _("Non-governmental organisation")


class Member(models.Model):
    instance = models.CharField(_("instance"), max_length=20)
    member_class = models.CharField(_("member class"), max_length=10, choices=MemberClass.choices)
    member_code = models.CharField(_("member code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LGSP member")
        ordering = ["instance", "member_class", "member_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "member_class", "member_code"], name="lgsp_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.name}"

    @property
    def identifier(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}"


class Subsystem(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="subsystems")
    code = models.CharField(_("subsystem code"), max_length=40)
    name = models.CharField(_("name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("LGSP subsystem")
        ordering = ["member_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["member", "code"], name="lgsp_subsystem_unique")
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return f"{self.member.identifier}/{self.code}"


class ProviderKind(models.TextChoices):
    #: One of the platform's own APIs, called in-process (``target``: a path such as /api/v1).
    INTERNAL = "internal", _("Platform API (in-process)")
    #: An outside system or simulator over HTTP (``target``: its base URL).
    HTTP = "http", _("Outside system (HTTP)")
    #: A Python provider registered in :mod:`egov.lgsp.providers` (``target``: its name).
    PYTHON = "python", _("Registered provider (Python)")


class Provider(models.Model):
    """Where a service's calls go."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ProviderKind.choices)
    target = models.CharField(_("target"), max_length=255)
    #: For HTTP providers: ``http``, ``inprocess`` or a transport's dotted path.
    transport = models.CharField(_("transport"), max_length=120, default="http", blank=True)
    timeout_seconds = models.FloatField(_("timeout (s)"), default=10.0)
    #: Name of the Django setting holding the API key sent as ``X-Api-Key`` (never the key).
    api_key_setting = models.CharField(_("API key setting"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("LGSP provider")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Service(models.Model):
    subsystem = models.ForeignKey(Subsystem, on_delete=models.PROTECT, related_name="services")
    code = models.CharField(_("service code"), max_length=60)
    version = models.CharField(_("version"), max_length=20, default="v1")
    title = models.CharField(_("title"), max_length=255)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    #: Appended to the provider's target (an API path, or a provider's own operation).
    target_path = models.CharField(_("target path"), max_length=255, blank=True)
    #: Comma-separated HTTP methods the service accepts.
    methods = models.CharField(_("methods"), max_length=40, default="GET")
    is_active = models.BooleanField(_("active"), default=True)
    #: Calls per minute of all consumers together (0: no limit).
    rate_per_minute = models.PositiveIntegerField(_("calls per minute (all)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LGSP service")
        ordering = ["subsystem_id", "code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["subsystem", "code", "version"], name="lgsp_service_unique"
            )
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return f"{self.subsystem.identifier}/{self.code}/{self.version}"

    def allowed_methods(self) -> list[str]:
        return [m.strip().upper() for m in self.methods.split(",") if m.strip()]


class Consumer(models.Model):
    """A client subsystem with the public key its tokens are verified with."""

    subsystem = models.OneToOneField(Subsystem, on_delete=models.PROTECT, related_name="consumer")
    #: The public key (a JWK as JSON: RSA or EC) the consumer's tokens must verify with.
    public_jwk = models.JSONField(_("public key (JWK)"))
    is_active = models.BooleanField(_("active"), default=True)
    #: Calls per day over every service (0: no quota).
    daily_quota = models.PositiveIntegerField(_("daily quota"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LGSP consumer")
        ordering = ["subsystem_id"]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return self.subsystem.identifier


class AccessRight(models.Model):
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="rights")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rights")
    #: Calls per minute of this consumer on this service (0: no limit).
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"), default=60)
    #: Calls per day of this consumer on this service (0: no quota).
    daily_quota = models.PositiveIntegerField(_("daily quota"), default=0)
    granted_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("LGSP access right")
        constraints = [
            models.UniqueConstraint(fields=["consumer", "service"], name="lgsp_right_unique")
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.service_id}"


class Outcome(models.TextChoices):
    OK = "ok", _("Answered")
    CLIENT_ERROR = "client_error", _("Refused by the provider")
    UNAUTHENTICATED = "unauthenticated", _("Not authenticated")
    FORBIDDEN = "forbidden", _("No access right")
    LIMITED = "limited", _("Rate limit or quota")
    NOT_FOUND = "not_found", _("Unknown service")
    INVALID = "invalid", _("Invalid request")
    PROVIDER_ERROR = "provider_error", _("Provider failed")
    TIMEOUT = "timeout", _("Provider timed out")
    FORWARDING = "forwarding", _("Sent to the provider")


class Phase(models.TextChoices):
    """Which part of an exchange a log row records. A call that may change
    something at the provider (any method but GET/HEAD/OPTIONS) is logged twice:
    its request before it is forwarded, its answer after; a safe call once."""

    EXCHANGE = "", _("Request and answer")
    REQUEST = "request", _("Request (before forwarding)")
    RESPONSE = "response", _("Answer")


class MessageLogEntry(models.Model):
    """One request through the gateway and its answer. ``entry_hash`` covers the
    row's content (with the bodies' hashes, not the bodies, which are purged after
    the retention time) and the previous row's hash; rows are appended only by
    :func:`egov.lgsp.messagelog.append`."""

    at = models.DateTimeField(_("time"), db_index=True)
    request_id = models.CharField(_("request id"), max_length=64)
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.EXCHANGE, blank=True
    )
    consumer = models.CharField(_("consumer"), max_length=200, db_index=True)
    service = models.CharField(_("service"), max_length=250, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    duration_ms = models.FloatField(_("duration (ms)"))
    request_hash = models.CharField(_("request hash"), max_length=100)
    response_hash = models.CharField(_("response hash"), max_length=100)
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    bodies_purged = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("LGSP message log entry")
        ordering = ["-id"]
        indexes = [models.Index(fields=["service", "at"]), models.Index(fields=["consumer", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request_id", "phase"], name="lgsp_log_one_row_per_request_phase"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.consumer} → {self.service} {self.status}"


class MessageLogHead(models.Model):
    """Single row with the tip of the message log's chain; locking it serialises
    appends and lets verification notice a removed last row."""

    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    #: The hash before the last append (lets one UPDATE … RETURNING hand the new
    #: row both its link and its own hash).
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    entries = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("LGSP message log head")

    def __str__(self) -> str:
        return f"#{self.last_entry_id} {self.last_hash[:12]}"
