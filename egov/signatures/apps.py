from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "egov.signatures"
    label = "signatures"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        from egov.core import demo_loaders, staff_menu
        from egov.signatures import checks  # noqa: F401 - registers the deploy check

        staff_menu.register(
            "signatures.images",
            label=_("Signature and seal images"),
            url_name="signatures:images",
            order=80,
            visible=lambda user: bool(getattr(user, "is_staff", False)),
            current_view="signatures:images",
        )
        demo_loaders.register("signatures", load_demo_pki, after=("accounts",))


def load_demo_pki(out: object) -> None:
    """The demo's test PKI for its signers (remote signing and the agencies' keys;
    personal tokens too when EGOV_PKI_USER_PIN is set), so the demo's documents are
    issued signed. Skipped, with the reason, where SoftHSM2 is not installed."""
    import os

    from django.conf import settings

    from egov.signatures import testpki

    write = getattr(out, "write", print)
    if not settings.EGOV_SIGNATURES_DEMO_PKI:
        write("Test PKI: skipped (EGOV_SIGNATURES_DEMO_PKI is off)")
        return
    try:
        made = testpki.make(user_pin=os.environ.get("EGOV_PKI_USER_PIN", ""))
    except (OSError, RuntimeError) as error:
        write(f"Test PKI: skipped ({type(error).__name__}: {error})")
        return
    write(
        f"Test PKI: {len(made.agencies)} agencies, {len(made.remote_signers)} remote signers, "
        f"{len(made.token_signers)} with a token"
    )
