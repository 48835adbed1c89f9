"""Demo work files of Sở Tư pháp, made through the services.

Last year's file list is kept by the records clerk and copied into this year's;
the specialist opens files from the list and one ad hoc, links the department's
incoming and outgoing documents into them (one letter sits in two files), closes
last year's file (due at the archive by the end of this year, so the warning
shows in December) and the job sends the warnings.
"""

from __future__ import annotations

from datetime import date

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.workfiles import jobs, services, sources
from egov.workfiles.models import DocumentKind, FileList

# (symbol, title, retention years or None for permanent)
ENTRIES: tuple[tuple[str, str, int | None], ...] = (
    ("01.VP", "Hồ sơ chỉ đạo, điều hành của Ủy ban nhân dân tỉnh gửi Sở Tư pháp", 10),
    ("02.VP", "Hồ sơ xây dựng và triển khai hệ thống quản lý văn bản điều hành", None),
    ("03.XDKT", "Hồ sơ kiểm tra văn bản quy phạm pháp luật của cấp huyện", 20),
    ("04.PBGDPL", "Hồ sơ phổ biến, giáo dục pháp luật", 10),
    ("05.VP", "Tập lưu văn bản đi của Sở", None),
    ("06.TCCB", "Hồ sơ thi đua, khen thưởng", 3),
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def load_demo_workfiles() -> str:
    """Idempotent: does nothing once the department has a file list."""
    justice = accounts_demo.department("Tư pháp")
    if FileList.objects.filter(agency=justice).exists():
        return "already loaded"
    clerk, specialist = _user("vanthu.stp"), _user("chuyenvien.stp")
    this_year = services.today().year
    last = services.list_for(clerk, justice, this_year - 1)
    for symbol, title, years in ENTRIES:
        services.add_entry(
            clerk,
            last,
            services.EntryIn(symbol=symbol, title=title, unit=justice, retention_years=years),
        )
    services.approve_list(clerk, last)
    copied = services.copy_list(clerk, justice, from_year=this_year - 1, to_year=this_year)
    current = services.list_for(clerk, justice, this_year)
    services.approve_list(clerk, current)

    # Last year's file on the new system, closed at the end of last year.
    old_entry = last.entries.get(symbol="02.VP")
    old = services.open_from_entry(specialist, old_entry, start_date=date(this_year - 1, 1, 5))
    incoming = sources.recent(specialist, DocumentKind.INCOMING, limit=12)
    outgoing = sources.recent(specialist, DocumentKind.OUTGOING, limit=10)
    for ref in incoming[:2]:
        services.add_document(specialist, old, ref.kind, ref.id)
    old.refresh_from_db()
    services.close_file(
        specialist,
        old,
        expected_version=old.version,
        retention_years=None,
        end_date=date(this_year - 1, 12, 28),
    )

    # This year's files: from the list, and one ad hoc.
    direction = services.open_from_entry(
        specialist, current.entries.get(symbol="01.VP"), start_date=date(this_year, 1, 2)
    )
    system = services.open_from_entry(
        specialist, current.entries.get(symbol="02.VP"), start_date=date(this_year, 1, 2)
    )
    for ref in incoming[2:8]:
        services.add_document(specialist, direction, ref.kind, ref.id)
    if len(incoming) > 2:
        services.add_document(specialist, system, incoming[2].kind, incoming[2].id)  # in two files
    for ref in outgoing[:4]:
        services.add_document(specialist, system, ref.kind, ref.id)
    services.open_ad_hoc(
        specialist,
        services.AdHocIn(
            symbol="07.VP",
            title="Hồ sơ chuẩn bị hội nghị tổng kết công tác tư pháp",
            unit=justice,
            retention_years=10,
            start_date=date(this_year, 11, 2),
        ),
    )
    warned = jobs.warn_handover_due()
    return (
        f"file lists {this_year - 1} and {this_year} ({copied} entries copied), "
        f"4 files, {warned} hand-over warnings"
    )
