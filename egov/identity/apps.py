from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "egov.identity"
    label = "identity"
    verbose_name = _("National identity sign-in")

    def ready(self) -> None:
        from egov.core import demo_loaders

        def load(out: Any) -> None:
            from egov.identity.demo import load_demo_identity

            load_demo_identity()
            out.write("Portal: profiles and identity-provider simulator loaded.")

        demo_loaders.register("identity", load, after=("accounts",))
