from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/lgsp/mo-phong/dan-cu/v1/cong-dan/"


def test_simulator_checks_its_key_and_the_number() -> None:
    client = Client()
    assert client.get(URL + "091085001234").status_code == 401
    assert client.get(URL + "091085001234", HTTP_X_API_KEY="wrong").status_code == 401
    bad = client.get(URL + "12345", HTTP_X_API_KEY="population-test-key")
    assert bad.status_code == 400 and "12 chữ số" in bad.json()["thong_diep"]
    found = client.get(URL + "091190004321", HTTP_X_API_KEY="population-test-key")
    assert found.json()["ho_ten"] == "Trần Thị Bích Ngọc"


def test_simulator_is_absent_when_simulators_are_off(settings: Any) -> None:
    settings.EGOV_SIMULATORS = False
    assert Client().get(URL + "091085001234").status_code == 404
