"""Staff pages of notifications (mounted at ``/thong-bao/``).

- ``quan-tri/mau/``: operators list and edit the templates, with a preview on the
  sample dossier (works without JavaScript: the Preview button posts the form).
- ``nhat-ky/``: the log of what was sent, for staff of the dossiers' units.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts.decorators import staff_required
from egov.notifications import selectors
from egov.notifications.models import (
    Event,
    NotificationStatus,
    NotificationTemplate,
    NotifyChannel,
)
from egov.notifications.rendering import VARIABLES, Rendered, check_template
from egov.notifications.services import may_edit_templates, save_template

LANGUAGES = dict(settings.LANGUAGES)


def _require_operator(user: Any) -> None:
    if not may_edit_templates(user):
        raise PermissionDenied(_("Only platform operators may edit notification templates."))


@staff_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    stored = {
        (t.event, t.channel, t.language): t
        for t in NotificationTemplate.objects.select_related("updated_by")
    }
    others = sorted({lang for (_e, _c, lang) in stored if lang != settings.LANGUAGE_CODE})
    languages = [settings.LANGUAGE_CODE, *others]
    rows = []
    for language in languages:
        for event in Event:
            for channel in NotifyChannel:
                template = stored.get((event.value, channel.value, language))
                if template is None and language != settings.LANGUAGE_CODE:
                    continue
                rows.append(
                    {
                        "event": event,
                        "channel": channel,
                        "language": language,
                        "language_name": LANGUAGES.get(language, language),
                        "template": template,
                    }
                )
    return render(request, "notifications/template_list.html", {"rows": rows})


class TemplateForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("E-mail only."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text of the message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
        error_messages={"required": gettext_lazy("Enter the text of the message.")},
    )
    unaccented = forms.BooleanField(
        label=gettext_lazy("Send without diacritics (SMS)"),
        required=False,
        help_text=gettext_lazy(
            "Vietnamese with diacritics needs Unicode SMS: 70 characters (67 per part when "
            "longer). Without diacritics a part holds 160 (153)."
        ),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if channel == NotifyChannel.SMS:
            del self.fields["subject"]
        else:
            del self.fields["unaccented"]


@staff_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    _require_operator(request.user)
    if event not in Event.values or channel not in NotifyChannel.values:
        raise Http404(_("Unknown template."))
    if language not in LANGUAGES:
        raise Http404(_("Unknown language."))
    stored = NotificationTemplate.objects.filter(
        event=event, channel=channel, language=language
    ).first()
    preview: Rendered | None = None
    if request.method == "POST":
        form = TemplateForm(request.POST, channel=channel)
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "subject": data.get("subject", ""),
                "body": data["body"],
                "unaccented": bool(data.get("unaccented")),
            }
            try:
                if request.POST.get("action") == "save":
                    save_template(
                        request.user,
                        event=event,
                        channel=channel,
                        language=language,
                        is_active=bool(data.get("is_active")),
                        **fields,
                    )
                    messages.success(request, _("The template was saved."))
                    return redirect("notifications:templates")
                preview = check_template(channel=channel, **fields)
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
    else:
        initial = {
            "subject": stored.subject if stored else "",
            "body": stored.body if stored else "",
            "unaccented": stored.unaccented if stored else channel == NotifyChannel.SMS,
            "is_active": stored.is_active if stored else True,
        }
        form = TemplateForm(initial=initial, channel=channel)
        if stored is not None:
            try:
                preview = check_template(
                    channel=channel,
                    subject=stored.subject,
                    body=stored.body,
                    unaccented=stored.unaccented,
                )
            except ValidationError:
                preview = None
    return render(
        request,
        "notifications/template_edit.html",
        {
            "form": form,
            "event": Event(event),
            "channel": NotifyChannel(channel),
            "language": language,
            "language_name": LANGUAGES[language],
            "stored": stored,
            "preview": preview,
            "variables": VARIABLES,
            "max_segments": settings.EGOV_SMS_MAX_SEGMENTS,
            "syntax_hint": _(
                "Write a variable as {{ name }}; show a sentence only when there is a value "
                "with {% if name %}…{% endif %}."
            ),
        },
    )


class LogFilter(forms.Form):
    dossier = forms.CharField(label=gettext_lazy("Dossier code"), required=False, max_length=60)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("All")), *NotifyChannel.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *NotificationStatus.choices],
    )


@staff_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    if not selectors.may_view_log(request.user):
        raise PermissionDenied(_("You do not have permission to see notifications."))
    form = LogFilter(request.GET or None)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "dossier_code": form.cleaned_data["dossier"],
            "channel": form.cleaned_data["channel"],
            "status": form.cleaned_data["status"],
        }
    rows = selectors.search(request.user, **filters)
    page = Paginator(rows, 50).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "notifications/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
