"""Staff pages of work files (/ho-so-cong-viec/): the worklist, the yearly file list,
opening a file, the file page (documents in date order, add, remove, close, hand
over) and its PDF/XML downloads. Thin: each POST is one service call; refusals are
shown as messages, and every view and download of a file is audit-logged."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.core.errors import DomainError
from egov.core.models import Unit
from egov.workfiles import access, selectors, services, sources
from egov.workfiles.forms import (
    AddDocumentForm,
    AdHocForm,
    CloseForm,
    CopyForm,
    EntryForm,
    HandoverForm,
    retention_value,
)
from egov.workfiles.models import FileListEntry, FileStatus, WorkFile
from egov.workfiles.retention import goes_to_archive


def _agency(request: HttpRequest) -> Unit:
    agencies = access.agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("You do not work in an agency."))
    wanted = request.GET.get("agency") or request.POST.get("agency")
    for agency in agencies:
        if str(agency.pk) == wanted:
            return agency
    return agencies[0]


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or services.today().year)
    except ValueError:
        year = services.today().year
    return min(max(year, 2000), 2100)


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = services.today()
    context = {
        "open_files": list(selectors.files_for(user, status=FileStatus.OPEN)[:100]),
        "closed_files": list(selectors.files_for(user, status=FileStatus.CLOSED)[:100]),
        "handed_over": list(selectors.files_for(user, status=FileStatus.HANDED_OVER)[:30]),
        "due_soon": list(selectors.handover_soon_for(user, today)[:50]),
        "notices": list(selectors.notices_for(user)[:20]),
        "agencies": access.agencies(user),
        "today": today,
    }
    return render(request, "workfiles/index.html", context)


@staff_required
@require_POST
def read_notices(request: HttpRequest) -> HttpResponse:
    services.mark_notices_read(request.user)
    return redirect("workfiles:index")


# --- the yearly list ------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def file_list(request: HttpRequest) -> HttpResponse:
    agency, year = _agency(request), _year(request)
    keeps = access.may_keep_list(request.user, agency)
    units = Unit.objects.filter(path__startswith=agency.path, dissolved_at__isnull=True).order_by(
        "path"
    )
    entry_form = EntryForm(units=units, prefix="entry")
    here = f"{reverse('workfiles:list')}?agency={agency.pk}&year={year}"
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied(_("Only the records clerk or a leader keeps the file list."))
        action = request.POST.get("action")
        try:
            if action == "add":
                entry_form = EntryForm(request.POST, units=units, prefix="entry")
                if entry_form.is_valid():
                    data = entry_form.cleaned_data
                    services.add_entry(
                        request.user,
                        services.list_for(request.user, agency, year),
                        services.EntryIn(
                            symbol=data["symbol"],
                            title=data["title"],
                            unit=data["unit"],
                            retention_years=retention_value(data["retention"]),
                            kind=data["kind"],
                        ),
                    )
                    messages.success(request, _("The entry was added to the list."))
                    return redirect(here)
            elif action == "copy":
                form = CopyForm(request.POST)
                if form.is_valid():
                    count = services.copy_list(
                        request.user, agency, from_year=form.cleaned_data["from_year"], to_year=year
                    )
                    messages.success(request, _("%(n)s entries copied.") % {"n": count})
                    return redirect(here)
            elif action == "approve":
                services.approve_list(request.user, services.list_for(request.user, agency, year))
                messages.success(request, _("The file list was approved."))
                return redirect(here)
            elif action == "remove":
                entry = get_object_or_404(
                    FileListEntry, pk=request.POST.get("entry"), file_list__agency=agency
                )
                services.remove_entry(request.user, entry)
                messages.success(request, _("The entry was removed from the list."))
                return redirect(here)
        except DomainError as error:
            messages.error(request, error.message)
            if action != "add":
                return redirect(here)
    the_list = selectors.file_list(agency, year)
    rows = selectors.entries_with_files(the_list) if the_list else []
    context = {
        "agency": agency,
        "agencies": access.agencies(request.user),
        "year": year,
        "years": [year - 1, year, year + 1],
        "file_list": the_list,
        "rows": [
            (entry, opened, access.may_open_in(request.user, entry.unit)) for entry, opened in rows
        ],
        "keeps": keeps,
        "entry_form": entry_form,
        "copy_form": CopyForm(initial={"from_year": year - 1}),
    }
    return render(request, "workfiles/list.html", context)


@staff_required
@require_POST
def open_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    if entry_id > selectors.MAX_ID:
        raise Http404
    entry = get_object_or_404(
        FileListEntry.objects.select_related("file_list__agency", "unit"), pk=entry_id
    )
    if not access.may_see_list(request.user, entry.file_list.agency):
        raise Http404
    try:
        work_file = services.open_from_entry(request.user, entry)
    except DomainError as error:
        messages.error(request, error.message)
        opened = WorkFile.objects.filter(entry=entry).first()
        if opened is not None and access.may_work_on(request.user, opened):
            return redirect("workfiles:detail", pk=opened.pk)
        return redirect(
            f"{reverse('workfiles:list')}?agency={entry.file_list.agency_id}&year={entry.file_list.year}"
        )
    messages.success(request, _("The file was opened."))
    return redirect("workfiles:detail", pk=work_file.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def new_file(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    units = access.units_in(request.user, agency)
    if not units.exists():
        raise PermissionDenied(_("You may not open a file for this agency."))
    form = AdHocForm(request.POST or None, units=units, initial={"start_date": services.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            work_file = services.open_ad_hoc(
                request.user,
                services.AdHocIn(
                    symbol=data["symbol"],
                    title=data["title"],
                    unit=data["unit"],
                    retention_years=retention_value(data["retention"]),
                    start_date=data["start_date"],
                    kind=data["kind"],
                    description=data["description"],
                ),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The file was opened."))
            return redirect("workfiles:detail", pk=work_file.pk)
    return render(request, "workfiles/new.html", {"form": form, "agency": agency})


# --- one file -------------------------------------------------------------------------


@staff_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    work_file = selectors.file_for(request.user, pk)
    services.log_access(request.user, work_file, "viewed")
    items = selectors.documents_of(request.user, work_file)
    query = request.GET.get("q", "").strip()[:200]
    in_file = {(item.link.kind, item.link.document_id) for item in items}
    found = (
        [
            ref
            for ref in sources.candidates(request.user, query)
            if (ref.kind, ref.id) not in in_file
        ]
        if query and not work_file.is_frozen
        else []
    )
    initial_retention = (
        "vinh-vien" if work_file.retention_years is None else str(work_file.retention_years)
    )
    context = {
        "file": work_file,
        "items": items,
        "shown": [item for item in items if not item.hidden],
        "hidden_count": sum(1 for item in items if item.hidden),
        "query": query,
        "found": found,
        "removed": list(selectors.removed_links(work_file)[:50]),
        "events": list(work_file.events.select_related("actor")),
        "close_form": CloseForm(
            initial={
                "version": work_file.version,
                "retention": initial_retention,
                "end_date": services.today(),
            }
        ),
        "handover_form": HandoverForm(),
        "may_hand_over": access.may_hand_over(request.user, work_file)
        and work_file.status == FileStatus.CLOSED
        and goes_to_archive(work_file.retention_years),
        "may_get_archive_copy": access.may_hand_over(request.user, work_file)
        and selectors.has_archive_copy(work_file),
    }
    return render(request, "workfiles/detail.html", context)


def _act(request: HttpRequest, pk: int, call: Callable[[WorkFile], str]) -> HttpResponse:
    work_file = selectors.file_for(request.user, pk)
    try:
        text = call(work_file)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, text)
    return redirect("workfiles:detail", pk=work_file.pk)


@staff_required
@require_POST
def add_document(request: HttpRequest, pk: int) -> HttpResponse:
    form = AddDocumentForm(request.POST)

    def call(work_file: WorkFile) -> str:
        if not form.is_valid():
            return _("Nothing was added.")
        services.add_document(
            request.user, work_file, form.cleaned_data["kind"], form.cleaned_data["document_id"]
        )
        return _("The document was added to the file.")

    return _act(request, pk, call)


@staff_required
@require_POST
def remove_document(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    def call(work_file: WorkFile) -> str:
        if link_id > selectors.MAX_ID:
            raise Http404
        link = get_object_or_404(work_file.links, pk=link_id)
        services.remove_document(request.user, link, reason=request.POST.get("reason", ""))
        return _("The document was taken out of the file.")

    return _act(request, pk, call)


@staff_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)

    def call(work_file: WorkFile) -> str:
        if not form.is_valid():
            return _("Choose the retention to close the file.")
        outcome = services.close_file(
            request.user,
            work_file,
            expected_version=form.cleaned_data["version"],
            retention_years=retention_value(form.cleaned_data["retention"]),
            end_date=form.cleaned_data["end_date"],
        )
        return _(
            "The file was closed: %(drafts)s drafts and %(dups)s duplicates were taken out."
        ) % {"drafts": outcome.removed_drafts, "dups": outcome.removed_duplicates}

    return _act(request, pk, call)


@staff_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    form = HandoverForm(request.POST)

    def call(work_file: WorkFile) -> str:
        if not form.is_valid():
            return _("Give the archive's receipt number.")
        services.record_handover(
            request.user,
            work_file,
            receipt_number=form.cleaned_data["receipt_number"],
            handed_over_on=form.cleaned_data["handed_over_on"],
        )
        return _("The hand-over to the archive was recorded.")

    return _act(request, pk, call)


def _download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from egov.workfiles import exports

    work_file = selectors.file_for(request.user, pk)
    items = selectors.documents_of(request.user, work_file)
    services.log_access(request.user, work_file, f"downloaded_{fmt}")
    name = f"ho-so-{work_file.year}-{work_file.symbol}".replace("/", "-").replace(" ", "-")
    if fmt == "pdf":
        response = HttpResponse(exports.file_pdf(work_file, items), content_type="application/pdf")
    else:
        response = HttpResponse(
            exports.file_xml(work_file, items), content_type="application/xml; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_GET
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


@staff_required
@require_GET
def archive_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The copy handed to the archive (sealed by the agency, PAdES B-LTA), for the
    records clerks of the agency: it lists the documents as the clerk saw them."""
    work_file = selectors.file_for(request.user, pk)
    if not access.may_hand_over(request.user, work_file):
        raise Http404
    copy = selectors.archive_copy(work_file)
    if copy is None:
        raise Http404
    services.log_access(request.user, work_file, "downloaded_archive_copy")
    name = f"ho-so-{work_file.year}-{work_file.symbol}-nop-luu".replace("/", "-").replace(" ", "-")
    response = HttpResponse(copy, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_GET
def xml(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "xml")
