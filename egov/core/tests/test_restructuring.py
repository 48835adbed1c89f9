"""Restructuring: merging units, the successor hook, and a 2025-style reorganisation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from egov.core.demo_units import load_demo_units
from egov.core.models import AuditEntry, Unit, UnitCode, UnitLevel
from egov.core.selectors.units import children, current_successor, get_unit_by_code, parent_of
from egov.core.services.units import (
    NewUnit,
    change_unit_code,
    create_unit,
    dissolve_unit,
    merge_units,
    move_unit,
    register_successor_handler,
    unregister_successor_handler,
)
from egov.core.tests.test_units import assert_tree_sound, make_tree

pytestmark = pytest.mark.django_db


class RecordingHandler:
    """Stands in for an app that moves its open work to the successor unit."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def __call__(self, sources: Sequence[Unit], target: Unit) -> None:
        # Runs inside the merge: the sources must already be marked dissolved.
        assert all(source.dissolved_at is not None for source in sources)
        self.calls.append(([s.code for s in sources], target.code))


@pytest.fixture
def handler() -> Iterator[RecordingHandler]:
    recorder = RecordingHandler()
    register_successor_handler(recorder)
    register_successor_handler(recorder)  # a second registration is ignored
    yield recorder
    unregister_successor_handler(recorder)


def test_merging_two_communes_into_a_third(handler: RecordingHandler) -> None:
    tree = make_tree()
    at = timezone.now()
    target = merge_units(None, [tree.commune1, tree.commune2], tree.commune3, at=at)
    assert target == tree.commune3

    # Sources stay as rows, dissolved, pointing to the target.
    for source in (tree.commune1, tree.commune2):
        source.refresh_from_db()
        assert source.dissolved_at == at
        assert source.successor == tree.commune3
        assert current_successor(source) == tree.commune3
        assert get_unit_by_code(source.code) == source
        assert UnitCode.objects.get(unit=source).valid_to == at
    # Their active sub-units (the desk) now hang under the target.
    desk = Unit.objects.get(pk=tree.commune1_desk.pk)
    assert parent_of(desk) == tree.commune3
    assert desk.dissolved_at is None
    assert list(children(tree.commune1)) == []
    assert list(tree.commune3.predecessors.order_by("code")) == [tree.commune1, tree.commune2]
    assert_tree_sound()

    merged = AuditEntry.objects.filter(action="unit.merge")
    assert set(merged.values_list("object_id", flat=True)) == {
        str(tree.commune1.pk),
        str(tree.commune2.pk),
        str(tree.commune3.pk),
    }
    summary = merged.get(object_id=str(tree.commune3.pk))
    assert summary.changes == {"predecessors": [[], ["001.00.31.H33", "002.00.31.H33"]]}
    assert AuditEntry.objects.filter(action="unit.move", object_id=str(desk.pk)).exists()
    assert handler.calls == [(["001.00.31.H33", "002.00.31.H33"], "003.00.31.H33")]

    # A later merge of the target extends the chain.
    merge_units(None, [tree.commune3], tree.commune4)
    assert current_successor(Unit.objects.get(pk=tree.commune1.pk)) == tree.commune4


def test_merging_into_a_new_unit(handler: RecordingHandler) -> None:
    tree = make_tree()
    spec = NewUnit(
        parent=tree.district1,
        code="H33.899.01",
        name="UBND phường Rạch Giá",
        level=UnitLevel.COMMUNE,
        short_name="UBND",
    )
    target = merge_units(None, [tree.commune1, tree.commune2, tree.commune3], spec)
    assert target.pk is not None and parent_of(target) == tree.district1
    assert Unit.objects.get(pk=tree.commune2.pk).successor == target
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(target.pk)).exists()
    assert handler.calls[0][1] == "H33.899.01"
    assert_tree_sound()


def test_merge_refuses_bad_requests_and_writes_nothing() -> None:
    tree = make_tree()
    before = (Unit.objects.filter(dissolved_at__isnull=True).count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError):
        merge_units(None, [], tree.commune3)
    with pytest.raises(ValidationError):
        merge_units(None, [tree.commune1, tree.commune1], tree.commune3)
    with pytest.raises(ValidationError):
        merge_units(None, [tree.commune1], tree.commune1)
    with pytest.raises(ValidationError):  # the target would end up in a dissolved unit
        merge_units(None, [tree.commune1], tree.commune1_desk)
    with pytest.raises(ValidationError):  # nested sources
        merge_units(None, [tree.district1, tree.commune1], tree.district2)
    with pytest.raises(ValidationError):  # new unit placed inside a source
        merge_units(
            None,
            [tree.commune1],
            NewUnit(parent=tree.commune1, code="009.00.31.H33", name="X", level="commune"),
        )
    dissolve_unit(None, tree.commune3)
    with pytest.raises(ValidationError):
        merge_units(None, [tree.commune1], tree.commune3)
    after = (Unit.objects.filter(dissolved_at__isnull=True).count(), AuditEntry.objects.count())
    assert after == (before[0] - 1, before[1] + 1)  # only the dissolution above


def test_a_failing_handler_rolls_the_merge_back() -> None:
    tree = make_tree()

    def refuse(sources: Sequence[Unit], target: Unit) -> None:
        raise RuntimeError("open dossiers could not be moved")

    register_successor_handler(refuse)
    try:
        with pytest.raises(RuntimeError):
            merge_units(None, [tree.commune1], tree.commune2)
    finally:
        unregister_successor_handler(refuse)
    tree.commune1.refresh_from_db()
    assert tree.commune1.dissolved_at is None
    assert parent_of(Unit.objects.get(pk=tree.commune1_desk.pk)) == tree.commune1
    assert not AuditEntry.objects.filter(action="unit.merge").exists()


def test_kien_giang_joins_an_giang_and_districts_are_abolished(
    handler: RecordingHandler,
) -> None:
    """1 July 2025 in miniature: Kiên Giang's tree goes under An Giang, districts
    are abolished and their communes report to the province directly."""
    load_demo_units()
    kien_giang = get_unit_by_code("000.00.00.H33")
    assert kien_giang is not None
    before_reform = timezone.now()
    an_giang = create_unit(
        None,
        None,
        code="H01",  # post-2025 dotted form; An Giang's real code to verify
        name="Ủy ban nhân dân tỉnh An Giang",
        level=UnitLevel.PROVINCE,
        short_name="UBND",
        statistics_code="89",
    )
    move_unit(None, kien_giang, an_giang)
    assert Unit.objects.filter(depth=1).get() == an_giang
    assert Unit.objects.filter(path__startswith=an_giang.path).count() == 387

    districts = list(
        Unit.objects.filter(level=UnitLevel.DISTRICT, dissolved_at__isnull=True).order_by("path")
    )
    assert len(districts) == 15
    for district in districts:
        for commune in children(district).filter(level=UnitLevel.COMMUNE):
            move_unit(None, commune, an_giang)
        dissolve_unit(None, district, successor=an_giang, cascade=True)
    merge_units(None, [kien_giang], an_giang)

    communes = Unit.objects.filter(level=UnitLevel.COMMUNE, dissolved_at__isnull=True)
    assert communes.count() == 143
    assert all(parent_of(c) == an_giang for c in communes)
    assert all(c.depth == 2 for c in communes)
    # Each commune kept its one-stop desk below it.
    assert all(c.numchild == 1 for c in communes)
    agencies = Unit.objects.filter(level=UnitLevel.PROVINCIAL_AGENCY, dissolved_at__isnull=True)
    assert agencies.count() == 22 and all(parent_of(a) == an_giang for a in agencies)
    assert not Unit.objects.filter(
        level__in=[UnitLevel.DISTRICT, UnitLevel.DISTRICT_AGENCY], dissolved_at__isnull=True
    ).exists()

    rach_gia = get_unit_by_code("000.00.31.H33")
    assert rach_gia is not None and rach_gia.dissolved_at is not None
    assert current_successor(rach_gia) == an_giang
    assert get_unit_by_code("000.00.31.H33", at=before_reform) == rach_gia
    old_root = Unit.objects.get(pk=kien_giang.pk)
    assert old_root.successor == an_giang and old_root.dissolved_at is not None
    assert_tree_sound()

    # A commune gets a code in the new form; records quoting the old one still find it.
    commune = communes.get(statistics_code="30733")
    change_unit_code(None, commune, "H01.151.01")
    assert get_unit_by_code("001.00.31.H33") == commune
    assert get_unit_by_code("H01.151.01") == commune

    # The hook was told about every district (with its offices and desk) and the root.
    targets = {target for _sources, target in handler.calls}
    assert targets == {"H01"}
    assert len(handler.calls) == 16
    rach_gia_call = next(sources for sources, _t in handler.calls if "000.00.31.H33" in sources)
    assert "000.02.31.H33" in rach_gia_call  # Văn phòng HĐND và UBND went with it
