"""The file list, opening, linking documents, closing, retention and hand-over."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from egov.core.models import AuditEntry
from egov.documents.tests.factories import Org, Staff
from egov.workfiles import jobs, retention, selectors, services
from egov.workfiles.errors import (
    AlreadyInFile,
    DocumentNotFound,
    EntryAlreadyOpened,
    FileFrozen,
    InvalidInput,
    SymbolTaken,
    WrongState,
)
from egov.workfiles.models import FileKind, FileStatus, HandoverNotice, WorkFile
from egov.workfiles.tests.factories import entry, incoming_doc, open_file, outgoing_doc

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


# --- retention and the hand-over date -------------------------------------------------


@pytest.mark.parametrize(
    ("end", "kind", "years", "due"),
    [
        (date(2026, 3, 10), FileKind.REGULAR, 10, date(2027, 12, 31)),
        (date(2026, 12, 31), FileKind.REGULAR, None, date(2027, 12, 31)),
        (date(2026, 1, 1), FileKind.REGULAR, 5, date(2027, 12, 31)),
        (date(2026, 11, 30), FileKind.CONSTRUCTION, 20, date(2027, 2, 28)),
        (date(2026, 3, 15), FileKind.CONSTRUCTION, None, date(2026, 6, 15)),
        (date(2026, 3, 10), FileKind.REGULAR, 3, None),  # under five years: stays with the unit
        (date(2026, 3, 10), FileKind.CONSTRUCTION, 4, None),
    ],
)
def test_handover_due_date(end: date, kind: str, years: int | None, due: date | None) -> None:
    assert retention.handover_due(end, kind=kind, retention_years=years) == due


# --- the yearly list ------------------------------------------------------------------


def test_the_clerk_keeps_the_list_and_copies_last_years(org: Org, staff: Staff) -> None:
    first = entry(org, staff, year=2025, symbol="01.XDKT", years=10)
    entry(org, staff, year=2025, symbol="02.VP", years=None)
    with pytest.raises(SymbolTaken):
        entry(org, staff, year=2025, symbol="01.XDKT")
    with pytest.raises(PermissionDenied):
        services.list_for(staff.specialist, org.dept, 2026)
    with pytest.raises(InvalidInput) as refused:
        entry(org, staff, year=2025, symbol="03", years=0)
    assert refused.value.field == "retention_years"

    # This year's list already has 02.VP: it is kept, the rest copied.
    entry(org, staff, year=2026, symbol="02.VP", years=5)
    copied = services.copy_list(staff.clerk, org.dept, from_year=2025, to_year=2026)
    assert copied == 1
    new = selectors.file_list(org.dept, 2026)
    assert new is not None
    rows = {e.symbol: e.retention_years for e in new.entries.all()}
    assert rows == {"01.XDKT": 10, "02.VP": 5}
    assert first.file_list.year == 2025  # the old list is untouched
    with pytest.raises(WrongState):
        services.copy_list(staff.clerk, org.dept, from_year=2019, to_year=2026)
    services.approve_list(staff.clerk, new)
    with pytest.raises(WrongState):
        services.copy_list(staff.clerk, org.dept, from_year=2025, to_year=2026)


def test_an_entry_is_opened_once_and_an_ad_hoc_file_needs_a_free_symbol(
    org: Org, staff: Staff
) -> None:
    planned = entry(org, staff)
    work_file = services.open_from_entry(staff.specialist, planned, start_date=date(2026, 1, 5))
    assert (work_file.symbol, work_file.retention_years, work_file.year) == ("01.XDKT", 10, 2026)
    assert work_file.owner == staff.specialist and work_file.status == FileStatus.OPEN
    with pytest.raises(EntryAlreadyOpened):
        services.open_from_entry(staff.head, planned)
    data = services.AdHocIn(
        symbol="01.XDKT",
        title="Hồ sơ phát sinh",
        unit=org.dept_legal,
        retention_years=None,
        start_date=date(2026, 6, 1),
    )
    with pytest.raises(SymbolTaken):
        services.open_ad_hoc(staff.specialist, data)
    ad_hoc = services.open_ad_hoc(
        staff.specialist, services.AdHocIn(**{**data.__dict__, "symbol": "09.XDKT"})
    )
    assert ad_hoc.entry is None and ad_hoc.agency == org.dept and ad_hoc.is_permanent
    with pytest.raises(PermissionDenied):  # Sở Tài chính's specialist works elsewhere
        services.open_ad_hoc(staff.outsider, services.AdHocIn(**{**data.__dict__, "symbol": "10"}))
    with pytest.raises(WrongState):
        services.remove_entry(staff.clerk, planned)


# --- documents in files ---------------------------------------------------------------


def test_a_document_sits_in_several_files_without_being_copied(org: Org, staff: Staff) -> None:
    letter = incoming_doc(org, staff)
    decision = outgoing_doc(org, staff)
    one = open_file(org, staff, symbol="01.XDKT")
    two = open_file(org, staff, symbol="02.XDKT")
    services.add_document(staff.specialist, one, "incoming", letter.pk)
    services.add_document(staff.specialist, one, "outgoing", decision.pk)
    services.add_document(staff.specialist, two, "incoming", letter.pk)
    with pytest.raises(AlreadyInFile):
        services.add_document(staff.specialist, one, "incoming", letter.pk)
    holding = set(selectors.files_holding(staff.specialist, "incoming", letter.pk))
    assert holding == {one, two}
    items = selectors.documents_of(staff.specialist, one)
    assert [(i.ref.kind, i.ref.id) for i in items if i.ref] == [
        ("incoming", letter.pk),
        ("outgoing", decision.pk),
    ]  # date order: the letter is dated 27/11/2026, the decision today
    link = items[0].link
    assert link.added_by == staff.specialist and link.added_at is not None
    removed = services.remove_document(staff.head, link, reason="Nhầm hồ sơ")
    assert removed.removed_by == staff.head and removed.removed_at is not None
    assert services.remove_document(staff.head, link).removed_by == staff.head  # a retry
    assert [i.ref.kind for i in selectors.documents_of(staff.specialist, one) if i.ref] == [
        "outgoing"
    ]
    assert selectors.documents_of(staff.specialist, two)[0].ref is not None  # still there
    services.add_document(staff.specialist, one, "incoming", letter.pk)  # may come back
    actions = set(AuditEntry.objects.filter(object_id=str(one.pk)).values_list("action", flat=True))
    assert {"workfiles.opened", "workfiles.document_added", "workfiles.document_removed"} <= actions


def test_only_documents_the_person_may_see_can_be_added(org: Org, staff: Staff) -> None:
    work_file = open_file(org, staff)
    unseen = incoming_doc(org, staff, register=False)  # in the clerk's queue only
    with pytest.raises(DocumentNotFound):
        services.add_document(staff.specialist, work_file, "incoming", unseen.pk)
    with pytest.raises(DocumentNotFound):
        services.add_document(staff.specialist, work_file, "outgoing", 999_999)
    with pytest.raises(InvalidInput):
        services.add_document(staff.specialist, work_file, "memo", 1)
    with pytest.raises(PermissionDenied):  # not their agency's file
        services.add_document(staff.outsider, work_file, "incoming", unseen.pk)


# --- closing --------------------------------------------------------------------------


def test_closing_removes_drafts_and_duplicates_sets_retention_and_freezes(
    org: Org, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "now", lambda: datetime(2026, 12, 7, 9, 0, tzinfo=TZ))
    work_file = open_file(org, staff, years=10)
    letter = incoming_doc(org, staff)
    copy = incoming_doc(org, staff)  # the same letter registered twice
    other = incoming_doc(org, staff, code_number="9", subject="Công văn khác")
    draft = outgoing_doc(org, staff, draft=True)
    decision = outgoing_doc(org, staff)
    for kind, doc in (
        ("incoming", letter),
        ("incoming", copy),
        ("incoming", other),
        ("outgoing", draft),
        ("outgoing", decision),
    ):
        services.add_document(staff.specialist, work_file, kind, doc.pk)
    work_file.refresh_from_db()
    outcome = services.close_file(
        staff.specialist, work_file, expected_version=work_file.version, retention_years=None
    )
    assert (outcome.removed_drafts, outcome.removed_duplicates) == (1, 1)
    closed = outcome.work_file
    assert closed.status == FileStatus.CLOSED and closed.is_permanent
    assert closed.end_date == date(2026, 12, 7)
    assert closed.handover_due == date(2027, 12, 31)
    kept = [
        (i.ref.kind, i.ref.id) for i in selectors.documents_of(staff.specialist, closed) if i.ref
    ]
    assert sorted(kept) == sorted(
        [("incoming", letter.pk), ("incoming", other.pk), ("outgoing", decision.pk)]
    )
    reasons = set(selectors.removed_links(closed).values_list("removed_reason", flat=True))
    assert len(reasons) == 2
    link = closed.links.filter(removed_at__isnull=True).first()
    assert link is not None
    with pytest.raises(FileFrozen):
        services.add_document(staff.specialist, closed, "outgoing", draft.pk)
    with pytest.raises(FileFrozen):
        services.remove_document(staff.specialist, link)
    with pytest.raises(FileFrozen):
        services.close_file(
            staff.specialist, closed, expected_version=closed.version, retention_years=5
        )


def test_close_checks_the_end_date_and_retention(org: Org, staff: Staff) -> None:
    work_file = open_file(org, staff)
    with pytest.raises(InvalidInput):
        services.close_file(
            staff.specialist,
            work_file,
            expected_version=work_file.version,
            retention_years=10,
            end_date=date(2025, 12, 31),
        )
    with pytest.raises(InvalidInput):
        services.close_file(
            staff.specialist, work_file, expected_version=work_file.version, retention_years=99
        )
    short = services.close_file(
        staff.specialist, work_file, expected_version=work_file.version, retention_years=2
    ).work_file
    assert short.handover_due is None  # kept two years: not for the archive
    with pytest.raises(WrongState):
        services.record_handover(staff.clerk, short, receipt_number="BB-01")


# --- hand-over ------------------------------------------------------------------------


def _closed(org: Org, staff: Staff, end: date, *, symbol: str, year: int = 2026) -> WorkFile:
    work_file = open_file(org, staff, symbol=symbol, year=year)
    return services.close_file(
        staff.specialist,
        work_file,
        expected_version=work_file.version,
        retention_years=work_file.retention_years,
        end_date=end,
    ).work_file


def test_warnings_come_30_days_before_and_once(
    org: Org, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = _closed(org, staff, date(2025, 6, 1), symbol="01", year=2025)  # due 31/12/2026
    later = _closed(org, staff, date(2026, 6, 1), symbol="02")  # due 31/12/2027
    monkeypatch.setattr(services, "now", lambda: datetime(2026, 11, 30, 8, 0, tzinfo=TZ))
    assert list(selectors.due_for_handover(date(2026, 11, 30))) == []  # 31 days before
    assert jobs.warn_handover_due() == 0
    monkeypatch.setattr(services, "now", lambda: datetime(2026, 12, 1, 8, 0, tzinfo=TZ))
    assert list(selectors.due_for_handover(date(2026, 12, 1))) == [soon]
    assert list(selectors.handover_soon_for(staff.specialist, date(2026, 12, 1))) == [soon]
    assert list(selectors.handover_soon_for(staff.outsider, date(2026, 12, 1))) == []
    assert jobs.warn_handover_due() == 2  # the specialist (responsible) and the clerk
    assert jobs.warn_handover_due() == 0  # idempotent
    recipients = set(HandoverNotice.objects.values_list("recipient__username", flat=True))
    assert recipients == {"cv.xdkt", "vanthu.stp"}
    assert "31/12/2026" in HandoverNotice.objects.first().text  # type: ignore[union-attr]
    assert not HandoverNotice.objects.filter(work_file=later).exists()
    assert services.mark_notices_read(staff.clerk) == 1
    assert selectors.notices_for(staff.clerk).count() == 0

    with pytest.raises(PermissionDenied):
        services.record_handover(staff.specialist, soon, receipt_number="BB-12")
    with pytest.raises(InvalidInput):
        services.record_handover(staff.clerk, soon, receipt_number="  ")
    done = services.record_handover(
        staff.clerk, soon, receipt_number="BB-12/2026", handed_over_on=date(2026, 12, 1)
    )
    assert done.status == FileStatus.HANDED_OVER and done.handed_over_by == staff.clerk
    assert done.archive_receipt == "BB-12/2026"
    assert services.record_handover(staff.clerk, soon, receipt_number="BB-12/2026").pk == soon.pk
    with pytest.raises(WrongState):
        services.record_handover(staff.clerk, soon, receipt_number="BB-13")
    assert list(selectors.due_for_handover(date(2026, 12, 1))) == []  # handed over
    open_one = open_file(org, staff, symbol="03")
    with pytest.raises(WrongState):
        services.record_handover(staff.clerk, open_one, receipt_number="BB-14")
