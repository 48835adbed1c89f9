"""The Vietnamese translations of this area, while they wait in the pending file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PENDING = Path(__file__).resolve().parents[2] / "locale" / "pending" / "accounts.json"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_pending_translations_keep_their_placeholders() -> None:
    if not PENDING.exists():
        pytest.skip("translations already merged into the catalogue")
    translations: dict[str, str] = json.loads(PENDING.read_text(encoding="utf-8"))
    assert len(translations) > 100
    for msgid, text in translations.items():
        assert text.strip(), msgid
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), msgid
    # Spot checks on wording people see at sign-in.
    assert translations["Sign in"] == "Đăng nhập"
    assert translations["Account temporarily locked"] == "Tài khoản tạm thời bị khóa"
