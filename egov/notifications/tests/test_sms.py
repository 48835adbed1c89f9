"""SMS alphabets and segments: GSM-7 vs UCS-2, concatenation, unaccented text."""

from __future__ import annotations

from egov.notifications.sms import is_gsm7, measure, truncate_to_segments, unaccent


def test_plain_ascii_is_gsm7_160_then_153_per_segment() -> None:
    assert measure("a" * 160).segments == 1
    assert measure("a" * 160).encoding == "GSM-7"
    assert measure("a" * 161).segments == 2
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3


def test_extension_characters_take_two_septets() -> None:
    size = measure("€" * 80)
    assert size.encoding == "GSM-7"
    assert size.units == 160
    assert size.segments == 1
    assert measure("[" * 81).segments == 2


def test_vietnamese_with_diacritics_is_ucs2_70_then_67() -> None:
    text = "Hẹn trả kết quả"
    assert not is_gsm7(text)
    assert measure(text).encoding == "UCS-2"
    assert measure("ạ" * 70).segments == 1
    assert measure("ạ" * 71).segments == 2
    assert measure("ạ" * 134).segments == 2
    assert measure("ạ" * 135).segments == 3


def test_decomposed_diacritics_are_counted_as_composed_characters() -> None:
    # "ế" typed as e + circumflex + acute (NFD) is one character once composed.
    decomposed = "e\u0302\u0301" * 70
    assert measure(decomposed).units == 70
    assert measure(decomposed).segments == 1


def test_characters_outside_the_bmp_count_two_utf16_units() -> None:
    assert measure("🙂" * 35).units == 70
    assert measure("🙂" * 36).segments == 2


def test_unaccent_removes_vietnamese_diacritics_and_fits_gsm7() -> None:
    text = "Ủy ban nhân dân Thành phố Rạch Giá đã tiếp nhận hồ sơ. Hẹn trả kết quả ngày 09/03/2026"
    plain = unaccent(text)
    assert plain == (
        "Uy ban nhan dan Thanh pho Rach Gia da tiep nhan ho so. Hen tra ket qua ngay 09/03/2026"
    )
    assert is_gsm7(plain)
    assert unaccent("ĐƯỜNG Đồng Khởi “số 1” – Quận 1…") == 'DUONG Dong Khoi "so 1" - Quan 1...'


def test_unaccent_makes_a_three_segment_ucs2_text_fit_in_two_gsm7_segments() -> None:
    text = "Hồ sơ đã được tiếp nhận, hẹn trả kết quả đúng hạn. " * 4
    assert measure(text).encoding == "UCS-2"
    assert measure(text).segments == 4
    assert measure(unaccent(text)).segments == 2


def test_truncate_to_segments_cuts_at_a_word_and_marks_the_cut() -> None:
    text = " ".join(["tiep nhan"] * 60)
    cut = truncate_to_segments(text, 2)
    assert measure(cut).segments == 2
    assert cut.endswith("...")
    assert not cut[:-3].endswith(" ")
    assert truncate_to_segments("ngan", 1) == "ngan"
