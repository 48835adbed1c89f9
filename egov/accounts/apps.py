from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.core.management import call_command
        from django.utils.translation import gettext_lazy

        from egov.core import demo_loaders, home_panels

        home_panels.register_link(
            "accounts.sign_in",
            label=gettext_lazy("Sign in to submit and follow your dossiers"),
            url_name="accounts:login",
            order=30,
            visible=lambda request: not request.user.is_authenticated,
        )
        demo_loaders.register(
            "accounts",
            lambda out: call_command("load_demo_accounts", stdout=out),
            after=("core.units",),
        )

        from egov.accounts.default_roles import ensure_default_roles
        from egov.core import seeds

        seeds.register("accounts.roles", ensure_default_roles)
