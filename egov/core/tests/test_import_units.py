"""The import_units command: CSV/JSON import, all-or-nothing validation, dry run, export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from egov.core.models import AuditEntry, Unit, UnitLevel
from egov.core.selectors.units import UNIT_COLUMNS, get_unit_by_code, parent_of
from egov.core.services.unit_import import UnitImportError, import_unit_rows, read_unit_records
from egov.core.services.units import change_unit_code, dissolve_unit
from egov.core.tests.test_units import assert_tree_sound, make_tree

pytestmark = pytest.mark.django_db

HEADER = ",".join(UNIT_COLUMNS)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("import_units", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def snapshot() -> tuple[int, int, list[tuple[str, str, str]]]:
    units = [(u.code, u.name, u.path) for u in Unit.objects.order_by("pk")]
    return Unit.objects.count(), AuditEntry.objects.count(), units


def test_import_creates_a_tree_whatever_the_row_order(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "units.csv",
        [
            # The commune comes before its district, the district before the province.
            "001.00.31.H33,UBND phường Vĩnh Thanh Vân,UBND,commune,000.00.31.H33,0,30733,,,,",
            "001.99.31.H33,Bộ phận Tiếp nhận và Trả kết quả phường Vĩnh Thanh Vân,BPMC,"
            "internal,001.00.31.H33,1,,,,,",
            "000.00.31.H33,UBND thành phố Rạch Giá,UBND,district,000.00.00.H33,0,899,,,,",
            '000.00.00.H33,UBND tỉnh Kiên Giang,UBND,province,,0,91,"06 Nguyễn Công Trứ, '
            'Rạch Giá",0297 3862 000,ubnd@kiengiang.gov.vn,https://kiengiang.gov.vn',
        ],
    )
    output = run(path)
    assert "4 created, 0 updated, 0 moved, 0 unchanged" in output
    province = Unit.objects.get(code="000.00.00.H33")
    assert province.depth == 1
    assert province.address == "06 Nguyễn Công Trứ, Rạch Giá"
    assert province.email == "ubnd@kiengiang.gov.vn"
    commune = Unit.objects.get(code="001.00.31.H33")
    assert parent_of(commune) == Unit.objects.get(code="000.00.31.H33")
    desk = Unit.objects.get(code="001.99.31.H33")
    assert desk.is_one_stop and parent_of(desk) == commune
    assert not commune.is_one_stop and commune.statistics_code == "30733"
    assert AuditEntry.objects.filter(action="unit.create", actor__isnull=True).count() == 4
    assert_tree_sound()

    # The same file again changes nothing.
    assert "0 created, 0 updated, 0 moved, 4 unchanged" in run(path)


def test_import_updates_and_moves_existing_units_matched_by_old_code(tmp_path: Path) -> None:
    tree = make_tree()
    change_unit_code(None, tree.commune2, "H33.899.02")
    path = tmp_path / "changes.json"
    path.write_text(
        json.dumps(
            {
                "units": [
                    # Old code, new name, new parent: one unit updated and moved.
                    {
                        "code": "002.00.31.H33",
                        "name": "UBND phường Vĩnh Quang (mới)",
                        "level": "commune",
                        "parent_code": "000.00.32.H33",
                        "phone": "0297 3860 000",
                    },
                    {
                        "code": "000.00.32.H33",
                        "name": "UBND thành phố Hà Tiên",
                        "level": "district",
                        "parent_code": "000.00.00.H33",
                    },
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    output = run(path)
    assert "0 created, 1 updated, 1 moved, 1 unchanged" in output
    assert "phone: ∅ → 0297 3860 000" in output
    assert "parent_code: 000.00.31.H33 → 000.00.32.H33" in output
    commune = Unit.objects.get(pk=tree.commune2.pk)
    assert commune.code == "H33.899.02"  # a file never changes a code back
    assert commune.name == "UBND phường Vĩnh Quang (mới)"
    assert parent_of(commune) == tree.district2
    assert AuditEntry.objects.filter(action="unit.rename", object_id=str(commune.pk)).exists()
    assert AuditEntry.objects.filter(action="unit.move", object_id=str(commune.pk)).exists()
    assert Unit.objects.count() == 10
    assert_tree_sound()


def test_an_invalid_row_stops_the_whole_import(tmp_path: Path) -> None:
    tree = make_tree()
    before = snapshot()
    path = write_csv(
        tmp_path / "bad.csv",
        [
            "004.00.31.H33,UBND phường Vĩnh Lạc,UBND,commune,000.00.31.H33,0,,,,,",
            "001.00.31.H33,UBND phường Vĩnh Thanh (đổi tên),UBND,commune,000.00.31.H33,0,,,,,",
            "005.00.31.H33,UBND phường An Hòa,UBND,ward,000.00.31.H33,0,,,,,",
            "006.00.31.H33,UBND phường An Bình,UBND,commune,000.00.99.H33,maybe,,,,not-mail,",
        ],
    )
    with pytest.raises(CommandError) as failure:
        run(path)
    message = str(failure.value)
    assert "row 4, column level: " in message
    assert "row 5, column is_one_stop: " in message
    assert "Nothing was imported." in message
    assert snapshot() == before
    assert tree.commune1.name == Unit.objects.get(pk=tree.commune1.pk).name

    # Value errors are all reported together once the columns parse.
    fixed = write_csv(
        tmp_path / "bad2.csv",
        [
            "004.00.31.H33,UBND phường Vĩnh Lạc,UBND,commune,000.00.31.H33,0,,,,,",
            "005.00.31.H33,UBND phường An Hòa,UBND,ward,000.00.31.H33,0,,,,,",
            "006.00.31.H33,UBND phường An Bình,UBND,commune,000.00.99.H33,0,,,,not-mail,",
            "004.00.31.H33,UBND phường Vĩnh Lạc,UBND,commune,000.00.31.H33,0,,,,,",
            "7.0.31.H33,,UBND,commune,000.00.31.H33,0,,,,,",
        ],
    )
    with pytest.raises(CommandError) as failure2:
        run(fixed)
    message = str(failure2.value)
    assert "row 3, column level: " in message
    assert "row 4, column parent_code: No unit with the code 000.00.99.H33" in message
    assert "row 4, column email: " in message
    assert "row 5, column code: The code 004.00.31.H33 already appears in row 2." in message
    assert "row 6, column code: " in message and "row 6, column name: " in message
    assert snapshot() == before


def test_a_problem_found_while_writing_rolls_everything_back(tmp_path: Path) -> None:
    tree = make_tree()
    before = snapshot()
    # Moving the district under its own commune is only detectable against the tree.
    path = write_csv(
        tmp_path / "cycle.csv",
        [
            "004.00.31.H33,UBND phường Vĩnh Lạc,UBND,commune,000.00.31.H33,0,,,,,",
            "000.00.31.H33,UBND thành phố Rạch Giá,,district,001.00.31.H33,0,,,,,",
        ],
    )
    with pytest.raises(CommandError) as failure:
        run(path)
    assert "row 3, column parent_code: " in str(failure.value)
    assert snapshot() == before
    assert parent_of(Unit.objects.get(pk=tree.district1.pk)) == tree.province


def test_rows_whose_parents_loop_are_named() -> None:
    make_tree()
    records = [
        {"code": "007.00.31.H33", "name": "A", "level": "commune", "parent_code": "008.00.31.H33"},
        {"code": "008.00.31.H33", "name": "B", "level": "commune", "parent_code": "007.00.31.H33"},
    ]
    with pytest.raises(UnitImportError) as failure:
        import_unit_rows(None, read_unit_records(records))
    assert {(e.row, e.column) for e in failure.value.errors} == {
        (1, "parent_code"),
        (2, "parent_code"),
    }


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    tree = make_tree()
    before = snapshot()
    path = write_csv(
        tmp_path / "plan.csv",
        [
            "004.00.31.H33,UBND phường Vĩnh Lạc,UBND,commune,000.00.31.H33,0,30742,,,,",
            "001.00.32.H33,UBND phường Tô Châu,,commune,000.00.31.H33,0,,,,,",
            "000.00.11.H33,Sở Thông tin và Truyền thông,SKHCN,provincial_agency,"
            "000.00.00.H33,0,,,,,",
        ],
    )
    output = run(path, "--dry-run")
    assert "1 created, 1 updated, 1 moved, 0 unchanged" in output
    assert "row 2: create 004.00.31.H33 UBND phường Vĩnh Lạc" in output
    assert "    statistics_code: 30742" in output
    assert "address" not in output  # empty columns are not listed for a new unit
    assert "row 3: move 001.00.32.H33" in output
    assert "short_name: STTTT → SKHCN" in output
    assert "Dry run: nothing was written." in output
    assert snapshot() == before
    assert parent_of(Unit.objects.get(pk=tree.commune4.pk)) == tree.district2


def test_export_then_import_is_a_round_trip(tmp_path: Path) -> None:
    tree = make_tree()
    exported = tmp_path / "tree.csv"
    assert "10 units written" in run(exported, "--export")
    with exported.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["code"] == "000.00.00.H33"
    assert rows[0]["parent_code"] == ""
    desk = next(r for r in rows if r["code"] == "001.99.31.H33")
    assert desk["parent_code"] == "001.00.31.H33" and desk["is_one_stop"] == "1"
    assert "0 created, 0 updated, 0 moved, 10 unchanged" in run(exported)

    subtree_file = tmp_path / "rach_gia.json"
    run(subtree_file, "--export", "--root", tree.district1.code)
    data = json.loads(subtree_file.read_text(encoding="utf-8"))
    assert len(data) == 6
    assert data[0]["parent_code"] == "000.00.00.H33"  # the real parent, so re-import is a no-op
    assert "0 created, 0 updated, 0 moved, 6 unchanged" in run(subtree_file)
    assert get_unit_by_code("000.00.31.H33") == tree.district1


def test_import_refuses_rows_of_dissolved_units_and_unknown_columns() -> None:
    tree = make_tree()
    dissolve_unit(None, tree.commune3)
    rows = read_unit_records(
        [{"code": "003.00.31.H33", "name": "X", "level": "commune", "parent_code": ""}]
    )
    with pytest.raises(UnitImportError) as failure:
        import_unit_rows(None, rows)
    assert "dissolved" in str(failure.value)
    odd = read_unit_records([{"code": "X", "name": "X", "level": UnitLevel.COMMUNE, "colour": 1}])
    with pytest.raises(UnitImportError) as unknown:
        import_unit_rows(None, odd)
    assert {e.column for e in unknown.value.errors} == {"colour", "parent_code"}
