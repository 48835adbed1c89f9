"""A web worker starts without the heavy libraries (issue 16, memory): PDF, Excel,
signing, XML signatures, JSON Schema, fuzzy search, QR codes, JWT and the holiday
tables load in the functions that use them, not when ``egov.wsgi`` is imported and
the URLs are resolved. ``bench/bench_memory.py`` prints what this saves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Loaded only by the code that draws, signs, parses, validates or searches.
LAZY = [
    "fpdf",
    "fontTools",
    "PIL",
    "openpyxl",
    "pypdf",
    "pyhanko",
    "pyhanko_certvalidator",
    "asn1crypto",
    "signxml",
    "lxml",
    "cryptography.x509",
    "jsonschema",
    "rapidfuzz",
    "qrcode",
    "jwt",
    "authlib",
    "joserfc.jwk",
    "holidays",
]

_WORKER = """
import json, sys
import egov.wsgi  # what gunicorn imports
from django.urls import get_resolver
get_resolver().url_patterns  # every urls module and the views they import
print(json.dumps(sorted(name for name in sys.modules)))
"""


def _modules_after_start(var_dir: Path) -> set[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "EGOV_DEMO": "1",
        "EGOV_VAR_DIR": str(var_dir),
    }
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", _WORKER],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    return _modules_after_start(tmp_path_factory.mktemp("var"))


@pytest.mark.parametrize("module", LAZY)
def test_worker_starts_without_heavy_library(started: set[str], module: str) -> None:
    assert "egov.api" in started  # the URLs (and the API routers) were really loaded
    assert module not in started, (
        f"{module} is imported when a worker starts: import it inside the function "
        f"that uses it (python -X importtime shows who pulls it in)"
    )


def test_the_libraries_still_load_where_they_are_used() -> None:
    """The lazy imports point at real modules (a typo would only fail on use)."""
    from egov.core.workcalendar import vn_holiday_years
    from egov.outgoing.layout import Layout, render
    from egov.portal.search import SearchIndex

    assert 2026 in vn_holiday_years()
    layout = Layout(
        parent_body="",
        issuing_body="Ủy ban nhân dân tỉnh Kiên Giang",
        number_and_symbol="",
        notation="UBND-VP",
        place="Kiên Giang",
        day=None,
        type_name="",
        is_letter=True,
        subject="Thử tải thư viện khi dùng",
        body="Nội dung văn bản.",
        authority="",
        authority_of="",
        signer_position="Chủ tịch",
        signer_name="Nguyễn Văn A",
        draft=True,
    )
    pdf = render(layout)
    assert pdf.startswith(b"%PDF")
    assert SearchIndex is not None
