"""Demo dossiers: a few hundred, in every status 1–10, across the demo agencies and
procedures, so worklists and statistics show something real on first run.

Every dossier is made through :mod:`egov.dossiers.services` (codes, due dates,
events, audit entries are real). Their histories lie in the past: while loading,
the services' clock (``services.inputs.now``) is replaced by a demo clock that walks
each dossier forward from its receipt time, never beyond the real now. Some
dossiers are overdue, some got an apology letter (form 04), some were passed to
another agency (liên thông), some wait for a supplement or for fees.

Needs ``load_demo_units``, ``load_demo_procedures`` and ``load_demo_accounts``
first. Demo dossiers are recognised by their applicants' e-mail domain
(:data:`DEMO_EMAIL_DOMAIN`). NEVER load this on a production database.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from egov.accounts.demo import DEMO_CITIZEN, DemoUnitMissing
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit, UnitLevel
from egov.core.workcalendar import get_calendar
from egov.dossiers import services
from egov.dossiers.errors import DossierError
from egov.dossiers.models import Channel, Dossier, Status
from egov.dossiers.services import ApplicantIn, PaperIn
from egov.dossiers.workflow import Action
from egov.procedures.models import OnlineLevel, ProcedureVersion, ProcessTemplate, VersionStatus
from egov.procedures.selectors import consult_candidates

DEMO_EMAIL_DOMAIN = "hoso-mau.example.com"
DEFAULT_COUNT = 200

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Đặng", "Bùi", "Đỗ")
_MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Quốc", "Hữu", "Thu", "Đức", "Kim")
_GIVEN = (
    "An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Khánh", "Lan",
    "Long", "Mai", "Nam", "Nga", "Phúc", "Quyên", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn",
    "Uyên", "Việt", "Xuân", "Yến",
)  # fmt: skip
_STREETS = (
    "Trần Phú", "Nguyễn Trung Trực", "Lâm Quang Ky", "Mạc Cửu", "Ngô Quyền",
    "Lạc Hồng", "Nguyễn Bỉnh Khiêm", "Chi Lăng",
)  # fmt: skip
_DELAY_REASONS = (
    "Cần xác minh thêm thông tin với cơ quan liên quan.",
    "Khối lượng hồ sơ tăng đột biến trong kỳ.",
    "Chờ ý kiến của cơ quan phối hợp.",
)

#: (scenario, weight): what happens to a dossier after it arrives.
_SCENARIOS: tuple[tuple[str, int], ...] = (
    ("submitted", 8),
    ("received", 10),
    ("refused", 4),
    ("processing", 20),
    ("consulting", 4),
    ("supplement_desk", 4),
    ("supplement", 5),
    ("payment", 4),
    ("withdrawn", 3),
    ("stopped", 3),
    ("ready", 10),
    ("returned", 25),
)


@dataclass
class DemoDossierReport:
    created: int = 0
    skipped: bool = False
    deleted: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    overdue: int = 0
    apologies: int = 0
    consulted: int = 0
    failures: list[str] = field(default_factory=list)


class _DemoClock:
    """Stands in for ``services.inputs.now`` while loading; never runs past the real now."""

    def __init__(self) -> None:
        self.moment = timezone.now().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        ceiling = timezone.now().replace(microsecond=0) - timedelta(seconds=1)
        self.moment = min(moment, ceiling).replace(microsecond=0)

    def advance(self, rng: random.Random, low: float = 0.5, high: float = 12) -> datetime:
        hours = round(rng.uniform(low, high), 2)
        self.set(get_calendar().add_working_hours(self.moment, hours))
        return self.moment


@contextmanager
def _demo_clock() -> Iterator[_DemoClock]:
    clock = _DemoClock()
    original: Callable[[], datetime] = services.inputs.now
    services.inputs.now = clock
    try:
        yield clock
    finally:
        services.inputs.now = original


def demo_dossiers() -> Any:
    return Dossier.objects.filter(applicant_email__endswith="@" + DEMO_EMAIL_DOMAIN)


def delete_demo_dossiers() -> int:
    """Remove the demo dossiers (their papers, events and letters cascade). Audit
    entries stay: the audit log is append-only."""
    count = demo_dossiers().count()
    demo_dossiers().delete()
    return count


def _operator() -> User:
    user = (
        User.objects.filter(
            is_active=True,
            role_assignments__role__code=RoleCode.PLATFORM_OPERATOR,
            role_assignments__revoked_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if user is None:
        raise DemoUnitMissing(
            "No platform operator account. Load the demo accounts first "
            "(python manage.py load_demo_accounts)."
        )
    return user


def _citizen() -> User | None:
    return User.objects.filter(national_id=DEMO_CITIZEN["national_id"], is_active=True).first()


def _pairs(rng: random.Random) -> list[tuple[ProcedureVersion, Unit]]:
    """(version, agency) pairs to spread dossiers over: every agency with a process
    template first, then up to two agencies of every other procedure."""
    versions = list(
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        .prefetch_related("papers")
        .order_by("procedure__national_code")
    )
    if not versions:
        raise DemoUnitMissing(
            "No published procedure. Load the demo catalogue first "
            "(python manage.py load_demo_procedures)."
        )
    pairs: list[tuple[ProcedureVersion, Unit]] = []
    for version in versions:
        agencies = list(
            version.agencies.filter(dissolved_at__isnull=True)
            .exclude(level=UnitLevel.INTERNAL)
            .order_by("path")
        )
        with_template = set(
            ProcessTemplate.objects.filter(
                procedure_id=version.procedure_id, is_active=True
            ).values_list("agency_id", flat=True)
        )
        templated = [unit for unit in agencies if unit.pk in with_template]
        chosen = templated + [unit for unit in agencies[:2] if unit not in templated]
        pairs.extend((version, unit) for unit in chosen)
    rng.shuffle(pairs)
    return pairs


def _applicant(rng: random.Random, number: int) -> ApplicantIn:
    name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    year = rng.randint(50, 99)
    gender = rng.choice("01")
    return ApplicantIn(
        name=name,
        id_number=f"091{gender}{year:02d}{rng.randint(0, 999999):06d}",
        address=f"{rng.randint(1, 250)} {rng.choice(_STREETS)}, Rạch Giá, Kiên Giang",
        phone=f"09{rng.randint(10000000, 99999999)}",
        email=f"nguoi-nop-{number:04d}@{DEMO_EMAIL_DOMAIN}",
    )


def _complete(version: ProcedureVersion) -> list[PaperIn]:
    return [
        PaperIn(required_paper=paper.pk, copies=paper.copies, form=paper.form)
        for paper in version.papers.all()
        if not paper.is_optional
    ]


def _received_at(rng: random.Random, scenario: str) -> datetime:
    """Finished dossiers arrived weeks ago; open ones recently, some long enough
    ago to be overdue."""
    calendar = get_calendar()
    if scenario in ("returned", "ready", "stopped", "withdrawn", "refused"):
        hours = rng.uniform(40, 400)
    elif rng.random() < 0.3:
        hours = rng.uniform(120, 300)  # likely overdue
    else:
        hours = rng.uniform(1, 40)
    now = timezone.now().replace(microsecond=0)
    start = calendar.shift_working_time(now, -timedelta(hours=hours))
    return start.replace(microsecond=0)


def _forward_until(
    actor: User,
    dossier: Dossier,
    clock: _DemoClock,
    rng: random.Random,
    *,
    done: bool,
    steps: int = 99,
) -> None:
    """Forward through the process: ``done`` until the result can be marked ready,
    else ``steps`` times at most."""
    moved = 0
    while moved < steps:
        if done and services.may_act(actor, dossier, Action.RESULT_READY):
            return
        if not services.may_act(actor, dossier, Action.FORWARD):
            return
        clock.advance(rng)
        services.forward(actor, dossier, expected_version=dossier.version, note="")
        moved += 1


def _consult_target(dossier: Dossier) -> Unit | None:
    unit = dossier.current_unit or dossier.receiving_agency
    base = unit
    if unit.level == UnitLevel.INTERNAL and unit.depth > 1:
        base = Unit.objects.filter(path=unit.path[: -Unit.steplen]).first() or unit
    return consult_candidates(base).exclude(pk=unit.pk).exclude(level=UnitLevel.INTERNAL).first()


def _one(
    actor: User,
    citizen: User | None,
    version: ProcedureVersion,
    agency: Unit,
    scenario: str,
    number: int,
    clock: _DemoClock,
    rng: random.Random,
    report: DemoDossierReport,
) -> Dossier:
    applicant = _applicant(rng, number)
    papers = _complete(version)
    start = _received_at(rng, scenario)
    clock.set(start)
    online = citizen is not None and version.online_level >= OnlineLevel.PARTLY_ONLINE
    if scenario == "submitted" and online:
        return services.submit_online(
            citizen,  # type: ignore[arg-type]
            version=version,
            agency=agency,
            papers=papers,
            applicant=ApplicantIn(**{**applicant.__dict__, "user": citizen}),
        )
    if scenario == "submitted":
        scenario = "received"  # this procedure is not offered online
    channel = Channel.POST if rng.random() < 0.1 else Channel.DESK
    if scenario == "refused":
        return services.refuse_dossier(
            actor,
            version=version,
            agency=agency,
            channel=channel,
            applicant=applicant,
            papers=papers[1:],
            reasons="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
        )
    if scenario == "supplement_desk" and papers:
        return services.request_supplement_at_desk(
            actor,
            version=version,
            agency=agency,
            channel=channel,
            applicant=applicant,
            papers=papers[1:],
            reason="Thiếu giấy tờ theo quy định.",
        )
    if online and rng.random() < 0.3:
        # Submitted online, then accepted at the desk.
        dossier = services.submit_online(
            citizen,  # type: ignore[arg-type]
            version=version,
            agency=agency,
            papers=papers,
            applicant=ApplicantIn(**{**applicant.__dict__, "user": citizen}),
        )
        clock.advance(rng, 0.5, 4)
        services.accept_online(actor, dossier, expected_version=dossier.version)
    else:
        dossier = services.receive_dossier(
            actor,
            version=version,
            agency=agency,
            channel=channel,
            applicant=applicant,
            papers=papers,
        )
    if scenario == "received":
        return dossier
    if scenario == "withdrawn":
        clock.advance(rng)
        services.withdraw(
            actor,
            dossier,
            expected_version=dossier.version,
            reason="Công dân có đơn xin rút hồ sơ.",
        )
        return dossier
    _forward_until(actor, dossier, clock, rng, done=False, steps=1)
    if scenario == "processing":
        _forward_until(actor, dossier, clock, rng, done=False, steps=rng.randint(0, 1))
        _maybe_apology(actor, dossier, clock, rng, report)
        return dossier
    if scenario == "consulting" and services.may_act(actor, dossier, Action.CONSULT):
        target = _consult_target(dossier)
        if target is not None:
            clock.advance(rng)
            services.consult_agency(
                actor,
                dossier,
                expected_version=dossier.version,
                other_agency=target,
                note="Đề nghị cho ý kiến về hồ sơ (liên thông).",
            )
            report.consulted += 1
            if rng.random() < 0.5:
                clock.advance(rng)
                services.answer_consultation(
                    actor, dossier, expected_version=dossier.version, note="Thống nhất nội dung."
                )
        return dossier
    if scenario == "supplement" and services.may_act(actor, dossier, Action.REQUEST_SUPPLEMENT):
        clock.advance(rng)
        services.request_supplement(
            actor,
            dossier,
            expected_version=dossier.version,
            missing_papers=["Bản sao giấy tờ chứng minh nơi cư trú"],
            reason="Hồ sơ cần bổ sung để đủ điều kiện giải quyết.",
        )
        return dossier
    if scenario == "payment":
        clock.advance(rng)
        services.request_payment(
            actor,
            dossier,
            expected_version=dossier.version,
            amount=rng.choice((50_000, 100_000, 250_000, 1_000_000)),
            note="Nộp lệ phí theo quy định.",
        )
        return dossier
    if scenario == "stopped":
        clock.advance(rng)
        services.stop_processing(
            actor,
            dossier,
            expected_version=dossier.version,
            reason="Người nộp không đủ điều kiện theo quy định.",
        )
        return dossier
    # ready / returned (and scenarios whose move the process did not allow)
    _maybe_apology(actor, dossier, clock, rng, report, chance=0.2)
    _forward_until(actor, dossier, clock, rng, done=True)
    if not services.may_act(actor, dossier, Action.RESULT_READY):
        return dossier
    clock.advance(rng, 1, 20)
    services.mark_result_ready(
        actor,
        dossier,
        expected_version=dossier.version,
        result_papers=[
            PaperIn(name=f"Kết quả giải quyết: {version.result_type or version.name}"[:500])
        ],
    )
    if scenario == "returned":
        clock.advance(rng, 0.5, 16)
        services.return_result(actor, dossier, expected_version=dossier.version)
    return dossier


def _maybe_apology(
    actor: User,
    dossier: Dossier,
    clock: _DemoClock,
    rng: random.Random,
    report: DemoDossierReport,
    chance: float = 0.4,
) -> None:
    """Some dossiers about to be late get an apology letter shortly before the
    appointment, with a new one three working days later."""
    due = dossier.due_at
    if due is None or rng.random() >= chance or due >= timezone.now():
        return
    calendar = get_calendar()
    moment = calendar.shift_working_time(due, -timedelta(hours=2))
    if moment <= clock.moment:
        return
    clock.set(moment)
    services.issue_apology(
        actor,
        dossier,
        expected_version=dossier.version,
        reason=rng.choice(_DELAY_REASONS),
        new_due_at=calendar.add_working_days(due, 3),
    )
    report.apologies += 1


def load_demo_dossiers(
    *, count: int = DEFAULT_COUNT, seed: int = 2020, reset: bool = False
) -> DemoDossierReport:
    """Create ``count`` demo dossiers (skipped when some exist, unless ``reset``)."""
    report = DemoDossierReport()
    if demo_dossiers().exists():
        if not reset:
            report.skipped = True
            return report
        report.deleted = delete_demo_dossiers()
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    actor = _operator()
    citizen = _citizen()
    pairs = _pairs(rng)
    names, weights = zip(*_SCENARIOS, strict=True)
    with _demo_clock() as clock:
        for number in range(1, count + 1):
            version, agency = pairs[(number - 1) % len(pairs)]
            scenario = rng.choices(names, weights)[0]
            try:
                with transaction.atomic():
                    _one(actor, citizen, version, agency, scenario, number, clock, rng, report)
            except (DossierError, services.ValidationError, services.PermissionDenied) as exc:
                # A procedure whose process forbids a move: note it and go on.
                report.failures.append(f"{version.procedure.national_code} {scenario}: {exc}")
                continue
            report.created += 1
    now = timezone.now()
    statuses = demo_dossiers().values_list("status", flat=True)
    report.by_status = Counter(statuses)
    report.overdue = (
        demo_dossiers()
        .filter(
            Q(
                status__in=(Status.RECEIVED, Status.PROCESSING),
                paused_at__isnull=True,
                due_at__lt=now,
            )
        )
        .count()
    )
    return report
