"""Project-wide guarantees: health endpoint, generated docs and API spec in sync,
translations complete."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import polib
import pytest
from django.db.utils import OperationalError
from django.test import Client

from egov.conf import reference_markdown
from egov.core.management.commands.export_openapi import openapi_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readiness_answers_503_when_the_database_fails_but_liveness_stays(
    client: Client,
) -> None:
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/readyz")
        live = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "failed": ["database"]}
    assert live.status_code == 200


@pytest.mark.django_db
def test_request_id_is_kept_when_well_formed(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-desk-7")
    assert response["X-Request-ID"] == "abc12345-desk-7"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert response["X-Request-ID"] != "bad id with spaces"


def test_settings_reference_is_up_to_date() -> None:
    checked_in = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert checked_in == reference_markdown(), "run `make docs` and commit docs/settings.md"


def test_openapi_document_is_up_to_date() -> None:
    checked_in = (ROOT / "docs" / "api" / "openapi.json").read_text(encoding="utf-8")
    assert checked_in == openapi_text(), "run `make openapi` and commit docs/api/openapi.json"


def test_vietnamese_catalogue_is_complete() -> None:
    catalogue = polib.pofile(str(ROOT / "egov" / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_vietnamese_text_is_nfc_normalised() -> None:
    """Vietnamese must be stored precomposed (NFC): decomposed text breaks search,
    sorting and some fonts, and does not match what people type."""
    import unicodedata

    catalogue = polib.pofile(str(ROOT / "egov" / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    bad = [e.msgstr for e in catalogue if not unicodedata.is_normalized("NFC", e.msgstr)]
    assert not bad, bad[:5]
    for template in (ROOT / "egov").rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), template


def test_translations_keep_their_placeholders() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{[a-z_]*\}")
    catalogue = polib.pofile(str(ROOT / "egov" / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    for entry in catalogue:
        wanted = set(placeholder.findall(entry.msgid))
        # Vietnamese has one plural form: it must carry the plural msgid's placeholders.
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if entry.msgid_plural:
            wanted = set(placeholder.findall(entry.msgid_plural))
        for text in texts:
            assert set(placeholder.findall(text)) == wanted, entry.msgid


def test_shared_caches_count_across_processes(tmp_path: Path) -> None:
    """EGOV_CACHE=file: two cache objects (as two worker processes would have) see
    each other's counters; memory caches do not; an unknown kind is refused."""
    from django.core.cache.backends.filebased import FileBasedCache
    from django.core.cache.backends.locmem import LocMemCache

    from egov.conf import ImproperlyConfiguredEnv, cache_settings

    file_conf = cache_settings("file", tmp_path)["default"]
    first = FileBasedCache(file_conf["LOCATION"], {})
    second = FileBasedCache(file_conf["LOCATION"], {})
    first.add("egov:lookup:all:1.2.3.4:1", 0)
    first.incr("egov:lookup:all:1.2.3.4:1")
    assert second.get("egov:lookup:all:1.2.3.4:1") == 1
    memory = cache_settings("memory", tmp_path)["default"]
    a = LocMemCache("a", {})
    b = LocMemCache("b", {})
    a.set("k", 1)
    assert memory["BACKEND"].endswith("LocMemCache") and b.get("k") is None
    assert cache_settings("database", tmp_path)["default"]["LOCATION"] == "egov_cache"
    redis = cache_settings("redis", tmp_path, redis_url="redis://127.0.0.1:6379/0")["default"]
    assert redis["BACKEND"].endswith("RedisCache")
    with pytest.raises(ImproperlyConfiguredEnv):
        cache_settings("memcached", tmp_path)
