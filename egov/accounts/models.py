"""People: staff, citizens and businesses, and the roles staff hold in units."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts.validators import validate_national_id, validate_tax_code


class AccountKind(models.TextChoices):
    STAFF = "staff", _("Staff (cán bộ, công chức)")
    CITIZEN = "citizen", _("Citizen (công dân)")
    BUSINESS = "business", _("Business (doanh nghiệp)")


IDENTIFIER_FIELDS = ("national_id", "tax_code")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **fields: object) -> User:
        if not username:
            raise ValueError("username is required")
        user = self.model(username=self.model.normalize_username(username), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username=self.model.normalize_username(username or ""))

    def create_superuser(
        self, username: str, password: str | None = None, **fields: object
    ) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("kind", AccountKind.STAFF)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Staff sign in with a user name; citizens with their
    CCCD number and businesses with their tax code as user name."""

    username = models.CharField(_("user name"), max_length=150, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    kind = models.CharField(_("account kind"), max_length=10, choices=AccountKind.choices)
    national_id = models.CharField(
        _("citizen ID number (CCCD)"),
        max_length=12,
        blank=True,
        validators=[validate_national_id],
    )
    tax_code = models.CharField(
        _("tax code"), max_length=14, blank=True, validators=[validate_tax_code]
    )
    # A self-declared number (registration, profile) proves nothing: it only counts as
    # the person's once the national identity provider or a desk clerk confirmed it.
    national_id_verified_at = models.DateTimeField(
        _("CCCD confirmed at"), null=True, blank=True, editable=False
    )
    tax_code_verified_at = models.DateTimeField(
        _("tax code confirmed at"), null=True, blank=True, editable=False
    )
    detached_identifier = models.CharField(
        _("number taken away"),
        max_length=14,
        blank=True,
        editable=False,
        help_text=_(
            "A number this account declared without proof, given to the account that "
            "proved it; to be reviewed by the agency."
        ),
    )
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("May sign in to the technical administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=~models.Q(national_id=""),
                name="accounts_user_national_id_unique",
            ),
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~models.Q(tax_code=""),
                name="accounts_user_tax_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def normalize_username(cls, username: str) -> str:
        # Lower-case, so "Admin" and "admin" are one account and one lockout counter.
        return str(super().normalize_username(username)).strip().lower()

    def identifier_verified(self, field: str) -> bool:
        """Whether ``field`` ("national_id" or "tax_code") holds a confirmed number."""
        if field not in IDENTIFIER_FIELDS:
            raise ValueError(field)
        return bool(getattr(self, field)) and getattr(self, f"{field}_verified_at") is not None

    @property
    def verified_national_id(self) -> str:
        return self.national_id if self.identifier_verified("national_id") else ""

    @property
    def verified_tax_code(self) -> str:
        return self.tax_code if self.identifier_verified("tax_code") else ""

    @property
    def is_staff_member(self) -> bool:
        return self.kind == AccountKind.STAFF

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.username


class Role(models.Model):
    """A staff role; which permissions it grants is data, editable by an operator."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    permissions = models.JSONField(
        _("permissions"),
        default=list,
        help_text=_("Permission codes this role grants within its unit and the unit's subtree."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A staff member holds a role in a unit; it applies to the unit's subtree."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="role_assignments")
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(revoked_at__isnull=True),
                name="accounts_roleassignment_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role} @ {self.unit}"
