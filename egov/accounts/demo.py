"""Demo accounts: one staff member per role at real Kiên Giang units, a citizen and
a business, all with the same documented password; staff with a confirmed
authenticator on one fixed, published key so testers can compute the codes.

NEVER load this on a production database: anyone can read the password and key.

The units come from ``load_demo_units`` (another command); they are looked up by
code, level and name, and a clear error says which one is missing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import services
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.core import audit
from egov.core.models import Unit, UnitLevel

DEMO_PASSWORD = "KienGiang2020"  # noqa: S105 (published demo password, by design)
# The 20 ASCII bytes "KienGiangDemo2FA2020", in base32 as authenticator apps take it.
DEMO_TOTP_KEY = "JNUWK3SHNFQW4Z2EMVWW6MSGIEZDAMRQ"
DEMO_TOTP_COMMANDS = (
    f"oathtool --totp -b {DEMO_TOTP_KEY}",
    'python3 -c "import base64,hmac,hashlib,struct,time;'
    f"k=base64.b32decode('{DEMO_TOTP_KEY}');"
    "h=hmac.new(k,struct.pack('>Q',int(time.time())//30),hashlib.sha1).digest();"
    "o=h[-1]&15;print('%06d'%((struct.unpack('>I',h[o:o+4])[0]&0x7fffffff)%1000000))\"",
)
PROVINCE_CODE = "000.00.00.H33"
PROVINCE_NAME = "Ủy ban nhân dân tỉnh Kiên Giang"


class DemoUnitMissing(Exception):
    """A unit the demo accounts need is not in the database."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    kind: str
    role: str
    role_name: str
    unit_name: str
    """Where the person works."""
    scope_name: str
    """Where the role applies (with everything below it)."""
    password: str
    totp_key: str
    """Base32 key of the authenticator; empty when the account has none."""


@dataclass(frozen=True)
class _StaffSpec:
    username: str
    full_name: str
    role: str
    role_name: str
    workplace: str
    find_workplace: Callable[[], Unit]
    find_scope: Callable[[], Unit] | None = None


def _active() -> QuerySet[Unit]:
    return Unit.objects.filter(dissolved_at__isnull=True)


def _need(unit: Unit | None, what: str) -> Unit:
    if unit is None:
        raise DemoUnitMissing(
            f"Demo unit not found: {what}. Load the organisation tree first "
            "(python manage.py load_demo_units)."
        )
    return unit


def province() -> Unit:
    unit = _active().filter(code=PROVINCE_CODE).first()
    unit = unit or _active().filter(level=UnitLevel.PROVINCE, depth=1).order_by("path").first()
    return _need(unit, f"the province's People's Committee ({PROVINCE_CODE})")


def _in(root: Unit) -> QuerySet[Unit]:
    return _active().filter(path__startswith=root.path)


def department(name_part: str) -> Unit:
    unit = (
        _in(province())
        .filter(level=UnitLevel.PROVINCIAL_AGENCY, name__contains=name_part)
        .order_by("depth", "path")
        .first()
    )
    return _need(unit, f"the provincial department whose name contains “{name_part}”")


def provincial_office() -> Unit:
    """Văn phòng UBND tỉnh (the office of the provincial People's Committee)."""
    unit = (
        _in(province())
        .filter(level=UnitLevel.PROVINCIAL_AGENCY, name__startswith="Văn phòng")
        .filter(Q(name__contains="Ủy ban nhân dân") | Q(name__contains="UBND"))
        .order_by("depth", "path")
        .first()
    )
    return _need(unit, "Văn phòng UBND tỉnh")


def province_one_stop() -> Unit:
    """The province's one-stop centre: a one-stop unit outside every district."""
    root = province()
    local_paths = list(
        _in(root)
        .filter(level__in=[UnitLevel.DISTRICT, UnitLevel.COMMUNE])
        .values_list("path", flat=True)
    )
    candidates = [
        unit
        for unit in _in(root).filter(is_one_stop=True).order_by("depth", "path")
        if not any(unit.path.startswith(path) for path in local_paths)
    ]
    named = [unit for unit in candidates if "hành chính công" in unit.name.lower()]
    found = (named or candidates)[0] if (named or candidates) else None
    return _need(found, "the province's one-stop centre")


def rach_gia() -> Unit:
    unit = (
        _in(province())
        .filter(level=UnitLevel.DISTRICT, name__contains="Rạch Giá")
        .order_by("path")
        .first()
    )
    return _need(unit, "the People's Committee of Thành phố Rạch Giá")


def rach_gia_commune() -> Unit:
    unit = _in(rach_gia()).filter(level=UnitLevel.COMMUNE).order_by("path").first()
    return _need(unit, "a commune of Thành phố Rạch Giá")


def commune_one_stop() -> Unit:
    unit = _in(rach_gia_commune()).filter(is_one_stop=True).order_by("depth", "path").first()
    return _need(unit, "the one-stop unit of a commune of Thành phố Rạch Giá")


_STAFF: tuple[_StaffSpec, ...] = (
    _StaffSpec(
        "motcua.tinh",
        "Trần Thị Mai",
        RoleCode.ONE_STOP_CLERK,
        "Cán bộ Bộ phận Một cửa",
        "Trung tâm Phục vụ hành chính công tỉnh Kiên Giang",
        province_one_stop,
    ),
    _StaffSpec(
        "motcua.xa",
        "Lê Văn Hùng",
        RoleCode.ONE_STOP_CLERK,
        "Cán bộ Bộ phận Một cửa",
        "Bộ phận Tiếp nhận và Trả kết quả phường Vĩnh Thanh",
        commune_one_stop,
    ),
    _StaffSpec(
        "chuyenvien.stp",
        "Nguyễn Thị Lan",
        RoleCode.SPECIALIST,
        "Chuyên viên",
        "Sở Tư pháp",
        lambda: department("Tư pháp"),
    ),
    _StaffSpec(
        "truongphong.stp",
        "Phạm Minh Tuấn",
        RoleCode.UNIT_HEAD,
        "Lãnh đạo phòng",
        "Sở Tư pháp",
        lambda: department("Tư pháp"),
    ),
    _StaffSpec(
        "lanhdao.rachgia",
        "Võ Thanh Sơn",
        RoleCode.AGENCY_LEADER,
        "Lãnh đạo cơ quan",
        "Ủy ban nhân dân thành phố Rạch Giá",
        rach_gia,
    ),
    _StaffSpec(
        "vanthu.vpubnd",
        "Huỳnh Thị Thu",
        RoleCode.RECORDS_CLERK,
        "Văn thư",
        "Văn phòng Ủy ban nhân dân tỉnh",
        provincial_office,
    ),
    # Incoming documents (issue 10): the office's leader and specialist, and the
    # records clerk and leader of a department, so documents travel between two agencies.
    _StaffSpec(
        "lanhdao.vpubnd",
        "Trương Văn Phúc",
        RoleCode.AGENCY_LEADER,
        "Lãnh đạo cơ quan",
        "Văn phòng Ủy ban nhân dân tỉnh",
        provincial_office,
    ),
    _StaffSpec(
        "chuyenvien.vpubnd",
        "Lý Thị Hạnh",
        RoleCode.SPECIALIST,
        "Chuyên viên",
        "Văn phòng Ủy ban nhân dân tỉnh",
        provincial_office,
    ),
    _StaffSpec(
        "vanthu.stp",
        "Châu Thị Ngọc",
        RoleCode.RECORDS_CLERK,
        "Văn thư",
        "Sở Tư pháp",
        lambda: department("Tư pháp"),
    ),
    _StaffSpec(
        "lanhdao.stp",
        "Đinh Công Minh",
        RoleCode.AGENCY_LEADER,
        "Lãnh đạo cơ quan",
        "Sở Tư pháp",
        lambda: department("Tư pháp"),
    ),
    _StaffSpec(
        "quantri.stttt",
        "Đặng Quốc Bảo",
        RoleCode.AGENCY_ADMIN,
        "Quản trị cơ quan",
        "Sở Thông tin và Truyền thông",
        lambda: department("Thông tin và Truyền thông"),
    ),
    # Works at Sở TTTT but operates the whole province's platform, so the role is
    # held at the province root (a role covers its unit's subtree only).
    _StaffSpec(
        "vanhanh.stttt",
        "Bùi Thanh Hải",
        RoleCode.PLATFORM_OPERATOR,
        "Quản trị hệ thống",
        "Sở Thông tin và Truyền thông",
        lambda: department("Thông tin và Truyền thông"),
        province,
    ),
)

DEMO_CITIZEN = {
    "national_id": "091090001234",
    "full_name": "Nguyễn Văn An",
    "email": "nguyenvanan@example.com",
    "phone": "0912345678",
}
DEMO_BUSINESS = {
    "tax_code": "1701234567",
    "full_name": "Công ty TNHH Thương mại Biển Xanh",
    "email": "lienhe@bienxanh.example.com",
    "phone": "02973862123",
}


def staff_email(username: str) -> str:
    # example.com (reserved for examples): demo mail must never reach a real inbox.
    return f"{username}@example.com"


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts as documented (no database needed): for the README and
    the browser tests. :func:`load_demo_accounts` returns the same list with the
    real unit names."""
    staff = [
        DemoAccount(
            username=spec.username,
            full_name=spec.full_name,
            kind=AccountKind.STAFF.value,
            role=spec.role,
            role_name=spec.role_name,
            unit_name=spec.workplace,
            scope_name=PROVINCE_NAME if spec.find_scope else spec.workplace,
            password=DEMO_PASSWORD,
            totp_key=DEMO_TOTP_KEY,
        )
        for spec in _STAFF
    ]
    public = [
        DemoAccount(
            username=DEMO_CITIZEN["national_id"],
            full_name=DEMO_CITIZEN["full_name"],
            kind=AccountKind.CITIZEN.value,
            role="",
            role_name="Công dân",
            unit_name="",
            scope_name="",
            password=DEMO_PASSWORD,
            totp_key="",
        ),
        DemoAccount(
            username=DEMO_BUSINESS["tax_code"],
            full_name=DEMO_BUSINESS["full_name"],
            kind=AccountKind.BUSINESS.value,
            role="",
            role_name="Doanh nghiệp",
            unit_name="",
            scope_name="",
            password=DEMO_PASSWORD,
            totp_key="",
        ),
    ]
    return staff + public


def totp_now(key: str = DEMO_TOTP_KEY, at: float | None = None) -> str:
    """The 6-digit code of ``key`` now (or at Unix time ``at``), as an app shows it."""
    generator = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)), step=30, digits=6)
    if at is not None:
        generator.time = at
    return f"{generator.token():06d}"


def _ensure_demo_device(user: User) -> None:
    key_hex = base64.b32decode(DEMO_TOTP_KEY).hex()
    devices = list(TOTPDevice.objects.filter(user=user))
    if len(devices) == 1 and devices[0].confirmed and devices[0].key == key_hex:
        return
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=services.TOTP_DEVICE_NAME, key=key_hex, confirmed=True
        )
        # The key is public demo data, but the audit log still never holds keys.
        audit.record(
            actor=None,
            action="accounts.totp_demo_device_installed",
            obj=user,
            changes={"device_id": device.pk},
        )


def _ensure_password(user: User) -> None:
    if not user.check_password(DEMO_PASSWORD):
        services.set_password_by_admin(None, user, DEMO_PASSWORD)


def _ensure_staff(spec: _StaffSpec) -> DemoAccount:
    workplace = spec.find_workplace()
    scope = spec.find_scope() if spec.find_scope else workplace
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = services.create_staff_account(
            None,
            username=spec.username,
            full_name=spec.full_name,
            unit=scope,
            role_codes=[spec.role],
            email=staff_email(spec.username),
            password=DEMO_PASSWORD,
        )
    else:
        holds = RoleAssignment.objects.filter(
            user=user, role__code=spec.role, unit=scope, revoked_at__isnull=True
        ).exists()
        if not holds:
            services.assign_role(None, user, spec.role, scope)
        _ensure_password(user)
    _ensure_demo_device(user)
    role = Role.objects.get(code=spec.role)
    return DemoAccount(
        username=user.username,
        full_name=user.full_name,
        kind=user.kind,
        role=role.code,
        role_name=role.name,
        unit_name=workplace.name,
        scope_name=scope.name,
        password=DEMO_PASSWORD,
        totp_key=DEMO_TOTP_KEY,
    )


def _ensure_public(account: DemoAccount) -> DemoAccount:
    user = User.objects.filter(username=account.username).first()
    if user is None:
        if account.kind == AccountKind.CITIZEN:
            services.register_citizen(password=DEMO_PASSWORD, **DEMO_CITIZEN)
        else:
            services.register_business(password=DEMO_PASSWORD, **DEMO_BUSINESS)
    else:
        _ensure_password(user)
    return account


#: Departments whose one-stop desks sit at the province's Public Administration
#: Service Centre: the centre's clerk receives and returns their dossiers there (as
#: the departments' officers seconded to the centre do), so the first demo account
#: has a worklist with dossiers in it.
CENTRE_DESKS = ("Tư pháp", "Kế hoạch và Đầu tư")


def _ensure_centre_desks() -> None:
    user = User.objects.filter(username="motcua.tinh").first()
    if user is None:
        return
    for name in CENTRE_DESKS:
        try:
            agency = department(name)
        except DemoUnitMissing:
            continue  # a smaller tree than the demo's (tests)
        desk = _in(agency).filter(is_one_stop=True).exclude(pk=agency.pk).order_by("path").first()
        if desk is None:
            continue
        holds = RoleAssignment.objects.filter(
            user=user, role__code=RoleCode.ONE_STOP_CLERK, unit=desk, revoked_at__isnull=True
        ).exists()
        if not holds:
            services.assign_role(None, user, RoleCode.ONE_STOP_CLERK, desk)


def load_demo_accounts() -> list[DemoAccount]:
    """Create or refresh every demo account; running it again changes nothing."""
    missing_roles = {spec.role for spec in _STAFF} - set(
        Role.objects.values_list("code", flat=True)
    )
    if missing_roles:
        raise DemoUnitMissing(
            f"Roles missing: {', '.join(sorted(missing_roles))}. Run python manage.py migrate."
        )
    loaded = [_ensure_staff(spec) for spec in _STAFF]
    _ensure_centre_desks()
    loaded += [_ensure_public(account) for account in demo_accounts() if account.kind != "staff"]
    return loaded
