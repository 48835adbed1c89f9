"""Write path of the one-stop form templates, and who may print a dossier's forms.

An operator (``Perm.OPERATE_PLATFORM``) edits a form's title and body; the edit is
refused unless the body compiles and lays out as a PDF on a fictitious sample
dossier, so a mistake never reaches a clerk printing a receipt.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, has_perm_in_unit, require_perm
from egov.core import audit
from egov.core.models import Unit
from egov.dossiers.form_defaults import FORM_CODES, default_form
from egov.dossiers.models import Dossier, FormTemplate
from egov.dossiers.paperforms.context import FormRenderError

#: Holding any of these in a unit lets a member of staff see its dossiers' forms.
DOSSIER_PERMS: tuple[str, ...] = (
    Perm.RECEIVE_DOSSIERS,
    Perm.PROCESS_DOSSIERS,
    Perm.APPROVE_DOSSIERS,
    Perm.RETURN_RESULTS,
)

MAX_TITLE_LENGTH = 255
MAX_BODY_LENGTH = 50_000


def may_edit_form_templates(user: Any) -> bool:
    return has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None)


def may_see_unit_dossiers(user: Any, unit: Unit | None) -> bool:
    """Any dossier permission in ``unit`` (or above it in the tree)."""
    if unit is None:
        return False
    return any(has_perm_in_unit(user, perm, unit) for perm in DOSSIER_PERMS)


def may_view_dossier_forms(user: Any, dossier: Dossier) -> bool:
    """Who may download a dossier's forms: staff holding a dossier permission in the
    agency that received it, its one-stop unit, or the unit handling it now."""
    units = (dossier.receiving_agency, dossier.receiving_unit, dossier.current_unit)
    return any(may_see_unit_dossiers(user, unit) for unit in units)


def check_form_template(code: str, title: str, body: str) -> None:
    """Raise ``ValidationError`` (per field) unless the template is usable."""
    from egov.dossiers.paperforms.pdf import render_sample

    errors: dict[str, str] = {}
    if code not in FORM_CODES:
        errors["code"] = _("Unknown form number: %(code)s.") % {"code": code}
    if not title.strip():
        errors["title"] = _("Enter the title of the form.")
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = _("The title is too long (at most %(max)s characters).") % {
            "max": MAX_TITLE_LENGTH
        }
    if not body.strip():
        errors["body"] = _("Enter the text of the form.")
    elif len(body) > MAX_BODY_LENGTH:
        errors["body"] = _("The text is too long (at most %(max)s characters).") % {
            "max": MAX_BODY_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    try:
        render_sample(code, title.strip(), body, strict=True)
    except FormRenderError as error:
        raise ValidationError({"body": error.message}) from None


def update_form_template(actor: Any, code: str, title: str, body: str) -> FormTemplate:
    """Replace the title and body of form ``code`` (01–07).

    Needs ``Perm.OPERATE_PLATFORM``. Refused, with the stored template unchanged, if
    the body does not compile or render on the sample dossier. Audited with the
    before/after text.
    """
    require_perm(actor, Perm.OPERATE_PLATFORM, None)
    title = title.strip()
    # Line endings from browsers (\r\n) would show up as changes in the audit diff.
    body = body.replace("\r\n", "\n")
    check_form_template(code, title, body)
    with transaction.atomic():
        shipped = default_form(code)
        template, _created = FormTemplate.objects.select_for_update().get_or_create(
            code=code, defaults={"title": shipped.title, "body": shipped.body}
        )
        before = {"title": template.title, "body": template.body}
        template.title = title
        template.body = body
        template.updated_by = actor if getattr(actor, "pk", None) else None
        template.save()
        changes = audit.diff(before, {"title": title, "body": body})
        audit.record(
            actor=actor,
            action="dossiers.form_template_updated",
            obj=template,
            changes=changes,
        )
    return template
