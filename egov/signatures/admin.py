"""Admin of the data operators manage: trust anchors and revocation sources (through
the services, audited), and a read-only view of signing keys. Platform operators only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.signatures.models import RevocationSource, SigningKey, TrustAnchor


class _OperatorsOnly(admin.ModelAdmin):
    def _may(self, request: HttpRequest) -> bool:
        return has_perm_in_unit(request.user, Perm.OPERATE_PLATFORM, None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disable instead: the audit log names them


class TrustAnchorForm(forms.ModelForm):
    certificate_file = forms.FileField(label=_("Root certificate (PEM or DER)"), required=False)

    class Meta:
        model = TrustAnchor
        fields = ["name", "enabled"]

    def clean_certificate_file(self) -> bytes | None:
        upload = self.cleaned_data.get("certificate_file")
        if upload is None:
            if self.instance.pk is None:
                raise forms.ValidationError(_("Choose the root certificate's file."))
            return None
        data = upload.read()
        if b"-----BEGIN CERTIFICATE-----" in data:
            from cryptography import x509
            from cryptography.hazmat.primitives.serialization import Encoding

            try:
                data = x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
            except ValueError:
                raise forms.ValidationError(_("The file is not a certificate.")) from None
        from asn1crypto import x509 as asn1_x509

        try:
            cert = asn1_x509.Certificate.load(data)
            cert.native  # noqa: B018 - must parse
        except ValueError:
            raise forms.ValidationError(_("The file is not a certificate.")) from None
        if not cert.ca:
            raise forms.ValidationError(_("The certificate is not a certification authority's."))
        return bytes(data)


@admin.register(TrustAnchor)
class TrustAnchorAdmin(_OperatorsOnly):
    form = TrustAnchorForm
    list_display = ["name", "enabled", "is_demo", "sha256", "added_at"]
    list_filter = ["enabled", "is_demo"]
    readonly_fields = ["sha256", "is_demo", "added_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from egov.signatures import services  # pyhanko: loaded when an operator saves

        data = form.cleaned_data.get("certificate_file")
        if not change:
            saved = services.add_trust_anchor(
                actor=request.user, name=obj.name, certificate_der=data
            )
            obj.pk = saved.pk
        services.set_anchor(
            actor=request.user, anchor_id=obj.pk, enabled=obj.enabled, name=obj.name
        )


@admin.register(RevocationSource)
class RevocationSourceAdmin(_OperatorsOnly):
    list_display = ["name", "kind", "url", "enabled", "is_demo"]
    list_filter = ["kind", "enabled", "is_demo"]
    fields = ["name", "kind", "url", "enabled"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from egov.signatures import services  # pyhanko: loaded when an operator saves

        if not change:
            saved = services.add_revocation_source(
                actor=request.user, name=obj.name, kind=obj.kind, url=obj.url
            )
            obj.pk = saved.pk
        services.set_revocation_source(
            actor=request.user, source_id=obj.pk, enabled=obj.enabled, name=obj.name
        )


@admin.register(SigningKey)
class SigningKeyAdmin(_OperatorsOnly):
    list_display = ["subject", "kind", "user", "unit", "serial", "not_after", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["subject", "serial"]
    exclude = ["certificate", "chain"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
