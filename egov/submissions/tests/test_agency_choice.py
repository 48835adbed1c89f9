"""Choosing the receiving agency: the district first, then its communes (issue 15,
item 5), without JavaScript through the "Choose" button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.dossiers.tests.factories import World, receive
from egov.submissions.agency_choice import PROVINCE_AREA, group_agencies, likely_agency
from egov.submissions.models import Draft

pytestmark = pytest.mark.django_db

START = reverse("submissions:start", args=["1.001193"])


@pytest.fixture
def communes(world: World) -> dict[str, list[Unit]]:
    """Ten communes in each of the two districts; "Xã Bình An" is in both."""
    made: dict[str, list[Unit]] = {"rach_gia": [world.org.commune], "chau_thanh": []}
    for key, district, number in (
        ("rach_gia", world.org.district, 33),
        ("chau_thanh", world.org.other_district, 40),
    ):
        for index in range(2, 12):
            name = "UBND Xã Bình An" if index == 2 else f"UBND Xã Số {index} {key}"
            made[key].append(
                create_unit(
                    None,
                    district,
                    code=f"{index:03d}.00.{number}.H33",
                    name=name,
                    level=UnitLevel.COMMUNE,
                )
            )
    world.version.agencies.set(made["rach_gia"] + made["chau_thanh"] + [world.org.justice])
    return made


@pytest.fixture
def citizen_client(world: World) -> Client:
    client = Client()
    client.force_login(world.staff.citizen)
    return client


def _agency_options(html: str) -> list[str]:
    select = re.search(r'<select name="agency".*?</select>', html, re.S)
    assert select, html[:3000]
    return re.findall(r'<option value="(\d+)"', select.group(0))


def test_grouped_by_district_with_the_district_after_a_repeated_name(
    world: World, communes: dict[str, list[Unit]]
) -> None:
    grouped = group_agencies(world.version.agencies.all())
    assert grouped.two_step and grouped.count() == 22
    assert [area.name for area in grouped.areas] == ["Huyện Châu Thành", "Thành phố Rạch Giá"]
    rach_gia = grouped.area(str(world.org.district.pk))
    assert rach_gia is not None
    # The district office sits under its district, with the communes.
    assert world.org.justice.pk in rach_gia.pks() and world.org.commune.pk in rach_gia.pks()
    labels = [option.label for area in grouped.areas for option in area.options]
    assert "UBND Xã Bình An (Huyện Châu Thành)" in labels
    assert "UBND Xã Bình An (Thành phố Rạch Giá)" in labels
    assert "UBND Phường Vĩnh Thanh Vân" in labels  # unique: no district added
    assert grouped.area(PROVINCE_AREA) is None


def test_a_short_list_is_one_step(world: World) -> None:
    world.version.agencies.set([world.org.district, world.org.other_district])
    grouped = group_agencies(world.version.agencies.all())
    assert not grouped.two_step


def test_preselected_from_the_address_or_the_latest_dossier(
    world: World, communes: dict[str, list[Unit]]
) -> None:
    grouped = group_agencies(world.version.agencies.all())
    anonymous = AnonymousUser()
    assert likely_agency(anonymous, grouped, "") == ("", None)
    assert likely_agency(anonymous, grouped, "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá") == (
        str(world.org.district.pk),
        world.org.commune.pk,
    )
    # Typed without diacritics, a district alone.
    assert likely_agency(anonymous, grouped, "ấp 3, xa binh an, huyen chau thanh") == (
        str(world.org.other_district.pk),
        communes["chau_thanh"][0].pk,
    )
    world.version.agencies.add(world.org.district)
    dossier = receive(world, agency=world.org.district)
    dossier.applicant = world.staff.citizen
    dossier.save(update_fields=["applicant"])
    grouped = group_agencies(world.version.agencies.all())
    assert likely_agency(world.staff.citizen, grouped, "huyện Châu Thành") == (
        str(world.org.district.pk),
        world.org.district.pk,
    )


def test_the_district_then_the_commune_without_javascript(
    world: World, communes: dict[str, list[Unit]], citizen_client: Client
) -> None:
    page = citizen_client.get(START).content.decode()
    assert 'name="area"' in page and 'name="choose_area"' in page
    assert 'id="agency-areas" type="application/json"' in page
    assert _agency_options(page) == []  # nothing known of the citizen: the district first
    assert page.count("<option") < 10  # not 22 agencies at once

    other = world.org.other_district
    chosen = citizen_client.post(START, {"area": other.pk, "choose_area": "", "draft_version": 1})
    assert chosen.status_code == 200
    html = chosen.content.decode()
    assert sorted(_agency_options(html)) == sorted(str(u.pk) for u in communes["chau_thanh"])
    assert "UBND Xã Bình An (Huyện Châu Thành)" in html
    assert not Draft.objects.exists()  # choosing a district saves nothing
    assert "errorlist" not in html

    target = communes["chau_thanh"][3]
    response = citizen_client.post(
        START, {"area": other.pk, "agency": target.pk, "draft_version": 1}
    )
    assert response.status_code == 302
    assert Draft.objects.get().agency == target


def test_an_agency_outside_the_chosen_district_is_refused(
    world: World, communes: dict[str, list[Unit]], citizen_client: Client
) -> None:
    wrong = communes["rach_gia"][4]
    response = citizen_client.post(
        START, {"area": world.org.other_district.pk, "agency": wrong.pk, "draft_version": 1}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Draft.objects.exists()
    # Without a district, nothing to choose from: the agency is asked for.
    response = citizen_client.post(START, {"agency": wrong.pk, "draft_version": 1})
    assert not Draft.objects.exists()


def test_the_step_page_keeps_the_drafts_agency_and_district(
    world: World, communes: dict[str, list[Unit]], citizen_client: Client
) -> None:
    target = communes["chau_thanh"][5]
    citizen_client.post(
        START, {"area": world.org.other_district.pk, "agency": target.pk, "draft_version": 1}
    )
    draft = Draft.objects.get()
    url = reverse("submissions:step", args=[draft.pk, "co-quan"])
    html = citizen_client.get(url).content.decode()
    assert re.search(rf'<option value="{world.org.other_district.pk}" selected', html)
    assert re.search(rf'<option value="{target.pk}" selected', html)
    moved = communes["rach_gia"][1]
    data: dict[str, Any] = {
        "area": world.org.district.pk,
        "agency": moved.pk,
        "draft_version": draft.version,
        "next": "",
    }
    assert citizen_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.agency == moved
