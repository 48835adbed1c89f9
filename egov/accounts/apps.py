from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from egov.accounts.default_roles import ensure_default_roles
        from egov.core import seeds

        seeds.register("accounts.roles", ensure_default_roles)
