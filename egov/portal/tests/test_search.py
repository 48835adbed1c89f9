"""Ranking of the in-process catalogue search, on an index built in memory
(no database), plus the freshness of the shared index (database)."""

from __future__ import annotations

from typing import Any

import pytest

from egov.portal.search import (
    RANK_ALL_WORDS,
    RANK_CODE,
    RANK_FUZZY,
    RANK_PHRASE,
    Entry,
    SearchIndex,
    fold,
    get_index,
    words,
)

NAMES = {
    "1.001193": ("Đăng ký khai sinh", "commune", 1),
    "2.000528": ("Đăng ký khai sinh có yếu tố nước ngoài", "district", 1),
    "1.000894": ("Đăng ký kết hôn", "commune", 1),
    "2.000806": ("Đăng ký kết hôn có yếu tố nước ngoài", "district", 1),
    "1.000656": ("Đăng ký khai tử", "commune", 1),
    "1.004873": ("Cấp Giấy xác nhận tình trạng hôn nhân", "commune", 1),
    "2.000488": ("Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "provincial_agency", 2),
    "2.000720": ("Đăng ký thành lập hộ kinh doanh", "district", 3),
    "1.009994": ("Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "district", 4),
    "9.000001": ("Tiếp nhận hồ sơ đề nghị hỗ trợ sinh kế", "commune", 5),
    "9.000002": ("Sinh hoạt khai báo sơ cấp của hộ", "commune", 5),
}


def make_index(names: dict[str, tuple[str, str, int]] = NAMES) -> SearchIndex:
    entries = []
    for number, (code, (name, level, field_id)) in enumerate(names.items(), start=1):
        tokens = tuple(words(name))
        entries.append(
            Entry(
                version_id=number,
                national_code=code,
                name=name,
                tokens=tokens,
                padded=" " + " ".join(tokens) + " ",
                field_id=field_id,
                levels=frozenset({level}),
                online_level=3,
                agency_ids=frozenset({100 + field_id}),
                sort_key=fold(name),
            )
        )
    return SearchIndex(entries=entries, signature=("test",))


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return make_index()


def codes(index: SearchIndex, query: str, **filters: Any) -> list[str]:
    return [hit.entry.national_code for hit in index.search(query, max_chars=200, **filters).hits]


def test_fold_drops_diacritics_case_and_reads_y_as_i() -> None:
    assert fold("Đăng Ký  KẾT HÔN") == "dang ki ket hon"
    assert fold("đ Đ") == "d d"
    # NFD input (some keyboards) folds the same as NFC
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Hồ sơ")) == fold("Hồ sơ") == "ho so"
    assert words("cha, mẹ, con") == ["cha", "me", "con"]


def test_without_diacritics_finds_the_procedure_first(index: SearchIndex) -> None:
    assert codes(index, "dang ky ket hon")[0] == "1.000894"
    assert codes(index, "Đăng ký kết hôn")[0] == "1.000894"
    assert codes(index, "ĐĂNG KÝ KẾT HÔN")[0] == "1.000894"


def test_ho_so_finds_ho_so(index: SearchIndex) -> None:
    result = index.search("ho so", max_chars=200)
    assert result.hits[0].entry.national_code == "9.000001"
    assert result.hits[0].rank == RANK_PHRASE


def test_exact_phrase_ranks_above_all_words_above_fuzzy(index: SearchIndex) -> None:
    # "khai sinh" as a phrase; "sinh ... khai" (9.000002) has both words, not the phrase
    result = index.search("khai sinh", max_chars=200)
    ranks = {hit.entry.national_code: hit.rank for hit in result.hits}
    assert ranks["1.001193"] == RANK_PHRASE
    assert ranks["2.000528"] == RANK_PHRASE
    assert ranks["9.000002"] == RANK_ALL_WORDS
    order = [hit.entry.national_code for hit in result.hits]
    assert order.index("1.001193") < order.index("2.000528") < order.index("9.000002")
    # the shorter name first among equal phrases
    assert order[0] == "1.001193"


def test_fuzzy_ranks_below_exact_words(index: SearchIndex) -> None:
    result = index.search("khai sihn", max_chars=200)
    assert result.hits[0].entry.national_code == "1.001193"
    assert result.hits[0].rank == RANK_FUZZY
    assert not result.approximate


@pytest.mark.parametrize(
    "query",
    [
        "dang ki khai sinh",
        "dang ky khai sinh",
        "khai sihn",
        "dang ky khai sinhh",
        "dnag ky khai sinh",
    ],
)
def test_typos_still_find_birth_registration_first(index: SearchIndex, query: str) -> None:
    assert codes(index, query)[0] == "1.001193"


def test_prefix_of_the_last_word(index: SearchIndex) -> None:
    assert codes(index, "ly lich tu ph")[0] == "2.000488"


def test_national_code(index: SearchIndex) -> None:
    result = index.search("1.001193", max_chars=200)
    assert [hit.entry.national_code for hit in result.hits] == ["1.001193"]
    assert result.hits[0].rank == RANK_CODE
    # a code typed in part lists the codes starting with it
    assert set(codes(index, "2.000")) == {"2.000528", "2.000806", "2.000488", "2.000720"}
    assert codes(index, "7.777777") == []


def test_empty_query_lists_everything_by_name(index: SearchIndex) -> None:
    result = index.search("   ", max_chars=200)
    names = [hit.entry.name for hit in result.hits]
    assert len(names) == len(NAMES)
    assert names == sorted(names, key=fold)
    assert not result.truncated


def test_very_long_query_is_cut_not_refused(index: SearchIndex) -> None:
    result = index.search("đăng ký khai sinh " * 500, max_chars=200)
    assert result.truncated
    assert len(result.query) <= 200
    assert result.hits[0].entry.national_code == "1.001193"


def test_nonsense_finds_nothing(index: SearchIndex) -> None:
    assert codes(index, "xyzzy qwerty") == []
    assert codes(index, "!!! ???") == codes(index, "")  # no words: the whole list


def test_partial_matches_only_when_nothing_matches_every_word(index: SearchIndex) -> None:
    result = index.search("thủ tục đăng ký kết hôn", max_chars=200)
    assert result.approximate
    assert result.hits[0].entry.national_code == "1.000894"
    full = index.search("đăng ký kết hôn", max_chars=200)
    assert not full.approximate
    assert {hit.entry.national_code for hit in full.hits} == {"1.000894", "2.000806"}


def test_filters(index: SearchIndex) -> None:
    assert set(codes(index, "dang ky", levels={"commune"})) == {"1.001193", "1.000894", "1.000656"}
    assert set(codes(index, "", field_id=2)) == {"2.000488"}
    assert set(codes(index, "", agency_id=103)) == {"2.000720"}
    assert codes(index, "ket hon", levels={"district"}) == ["2.000806"]


@pytest.mark.django_db
def test_shared_index_follows_publications(settings: Any) -> None:
    from egov.procedures.tests.factories import birth_content, build_org, ensure_fields, publish

    org = build_org()
    ensure_fields()
    assert get_index().search("khai sinh").hits == []
    publish("1.001193", birth_content(org))
    first = get_index()
    assert [hit.entry.national_code for hit in first.search("khai sinh").hits] == ["1.001193"]
    assert get_index() is first  # unchanged catalogue: the same index, no rebuild
    # a new version replaces the first: the index follows
    from egov.procedures import services

    draft = services.new_version_from(None, first_version(first))
    services.update_draft(None, draft, name="Đăng ký khai sinh lưu động")
    services.publish_version(None, draft)
    hits = get_index().search("luu dong").hits
    assert [hit.entry.name for hit in hits] == ["Đăng ký khai sinh lưu động"]


def first_version(index: SearchIndex) -> Any:
    from egov.procedures.models import ProcedureVersion

    return ProcedureVersion.objects.get(pk=index.entries[0].version_id)
