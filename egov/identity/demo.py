"""Demo data of the identity app: profiles of the demo citizen and business, and
the people the identity provider simulator offers (idempotent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from egov.accounts.models import User
from egov.identity import services
from egov.identity.models import Profile, SimulatorIdentity

DEMO_CITIZEN_ID = "091090001234"
DEMO_BUSINESS_TAX_CODE = "1701234567"
NEW_PERSON_ID = "091185004321"

PROFILES: dict[str, dict[str, Any]] = {
    DEMO_CITIZEN_ID: {
        "date_of_birth": date(1990, 10, 9),
        "address": "Số 12 đường Nguyễn Trung Trực, phường Vĩnh Bảo, thành phố Rạch Giá, "
        "tỉnh Kiên Giang",
    },
    DEMO_BUSINESS_TAX_CODE: {
        "date_of_birth": date(2015, 3, 20),
        "address": "Số 45 đường Lạc Hồng, phường Vĩnh Lạc, thành phố Rạch Giá, tỉnh Kiên Giang",
    },
}

SIMULATOR_IDENTITIES: list[dict[str, Any]] = [
    {
        "subject": "vneid-c3a1f0e2-091090001234",
        "label": "Nguyễn Văn An (công dân, đã có tài khoản)",
        "claims": {
            "name": "Nguyễn Văn An",
            "birthdate": "1990-10-09",
            "gender": "male",
            "identity_number": DEMO_CITIZEN_ID,
            "address": {
                "formatted": "Số 12 đường Nguyễn Trung Trực, phường Vĩnh Bảo, thành phố Rạch "
                "Giá, tỉnh Kiên Giang",
                "country": "VN",
            },
            "phone_number": "+84912345678",
            "phone_number_verified": True,
            "email": "nguyenvanan@example.com",
            "email_verified": True,
        },
    },
    {
        "subject": "vneid-7b2d4e91-091185004321",
        "label": "Trần Thị Bích Ngọc (công dân, chưa có tài khoản)",
        "claims": {
            "name": "Trần Thị Bích Ngọc",
            "birthdate": "1985-04-12",
            "gender": "female",
            "identity_number": NEW_PERSON_ID,
            "address": {
                "formatted": "Ấp Mỹ Lộc, xã Mỹ Lâm, huyện Hòn Đất, tỉnh Kiên Giang",
                "country": "VN",
            },
            "phone_number": "+84987654321",
            "phone_number_verified": True,
            "email": "tranthibichngoc@example.com",
            "email_verified": False,
        },
    },
    {
        "subject": "vneid-org-1701234567",
        "label": "Công ty TNHH Thương mại Biển Xanh (doanh nghiệp)",
        "claims": {
            "name": "Công ty TNHH Thương mại Biển Xanh",
            "tax_code": DEMO_BUSINESS_TAX_CODE,
            "address": {
                "formatted": "Số 45 đường Lạc Hồng, phường Vĩnh Lạc, thành phố Rạch Giá, "
                "tỉnh Kiên Giang",
                "country": "VN",
            },
            "phone_number": "02973862123",
            "phone_number_verified": True,
        },
    },
]


def load_demo_simulator_identities() -> list[SimulatorIdentity]:
    loaded = []
    for position, spec in enumerate(SIMULATOR_IDENTITIES):
        identity, _created = SimulatorIdentity.objects.update_or_create(
            subject=spec["subject"],
            defaults={"label": spec["label"], "claims": spec["claims"], "position": position},
        )
        loaded.append(identity)
    return loaded


def load_demo_identity() -> None:
    """Profiles of the demo accounts (only where none exists yet, so edits are kept)
    and the simulator's demo identities. Running it again changes nothing."""
    for username, fields in PROFILES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        # The demo people are who they say they are (as if checked at a desk), so
        # signing in through the simulator opens their demo accounts.
        for field in ("national_id", "tax_code"):
            if getattr(user, field) and not user.identifier_verified(field):
                services.verify_identifier_at_desk(
                    None, user, field, document="demo data: identity card checked"
                )
        if Profile.objects.filter(user=user).exists():
            continue
        services.update_profile(user, **fields)
    load_demo_simulator_identities()
