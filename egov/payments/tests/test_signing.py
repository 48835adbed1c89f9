from __future__ import annotations

import pytest

from egov.payments import signing
from egov.payments.receipt import amount_in_words

SECRET = "s3cret"


def test_canonical_string_sorts_and_skips_the_signature() -> None:
    params = {"reference": "TT1", "amount": 150000, "currency": "VND", "signature": "x"}
    assert signing.canonical(params) == "amount=150000&currency=VND&reference=TT1"


def test_round_trip_and_tampering_refused() -> None:
    params = signing.signed({"reference": "TT1", "amount": 150000}, SECRET)
    assert signing.verify(params, SECRET)
    # The same message as text (a query string) still verifies.
    assert signing.verify({k: str(v) for k, v in params.items()}, SECRET)
    assert not signing.verify({**params, "amount": 150001}, SECRET)
    assert not signing.verify({**params, "extra": "1"}, SECRET)
    assert not signing.verify(params, "another secret")
    assert not signing.verify({k: v for k, v in params.items() if k != "signature"}, SECRET)


def test_floats_and_nested_values_cannot_be_signed() -> None:
    with pytest.raises(signing.BadMessage):
        signing.sign({"amount": 1.5}, SECRET)
    assert not signing.verify({"amount": 1.5, "signature": "00"}, SECRET)
    assert not signing.verify({"amount": {"x": 1}, "signature": "00"}, SECRET)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (50000, "Năm mươi nghìn đồng"),
        (150000, "Một trăm năm mươi nghìn đồng"),
        (1005000, "Một triệu không trăm linh năm nghìn đồng"),
        (2000050, "Hai triệu không trăm năm mươi đồng"),
        (1234567, "Một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy đồng"),
        (1000000000, "Một tỷ đồng"),
        (3000200000, "Ba tỷ hai trăm nghìn đồng"),
        (10**13, "Mười nghìn tỷ đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words
