"""The national population database (Cơ sở dữ liệu quốc gia về dân cư): a local
simulator of its citizen lookup by CCCD, with test data, reached through the
gateway as an HTTP provider (``Provider(kind="http", target=EGOV_LGSP_POPULATION_URL,
api_key_setting="EGOV_LGSP_POPULATION_API_KEY")``).

Protocol: ``GET {base}/v1/cong-dan/{cccd}`` with ``X-Api-Key``; 200 with the
citizen, 404 unknown, 400 not a 12-digit number, 401 wrong key. CCCD
``091000000999`` makes the simulator fail (500), to show the gateway's 502.
"""

from __future__ import annotations

import hmac
import re

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

FAILING_CCCD = "091000000999"

#: Test data: invented people (Kiên Giang's province code 091 starts each CCCD).
CITIZENS: dict[str, dict[str, str]] = {
    "091085001234": {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh": "1985-03-12",
        "gioi_tinh": "Nam",
        "que_quan": "Xã Mong Thọ, huyện Châu Thành, tỉnh Kiên Giang",
        "noi_thuong_tru": "12 Nguyễn Trung Trực, phường Vĩnh Bảo, TP Rạch Giá, Kiên Giang",
    },
    "091190004321": {
        "ho_ten": "Trần Thị Bích Ngọc",
        "ngay_sinh": "1990-11-02",
        "gioi_tinh": "Nữ",
        "que_quan": "Phường An Hòa, TP Rạch Giá, tỉnh Kiên Giang",
        "noi_thuong_tru": "45 Lâm Quang Ky, phường An Hòa, TP Rạch Giá, Kiên Giang",
    },
    "091075002468": {
        "ho_ten": "Lê Hoàng Phúc",
        "ngay_sinh": "1975-07-30",
        "gioi_tinh": "Nam",
        "que_quan": "Thị trấn Dương Đông, TP Phú Quốc, tỉnh Kiên Giang",
        "noi_thuong_tru": "8 Trần Hưng Đạo, phường Dương Đông, TP Phú Quốc, Kiên Giang",
    },
    "091200013579": {
        "ho_ten": "Phạm Thị Thu Hà",
        "ngay_sinh": "2000-01-20",
        "gioi_tinh": "Nữ",
        "que_quan": "Xã Bình An, huyện Kiên Lương, tỉnh Kiên Giang",
        "noi_thuong_tru": "Ấp Ba Hòn, thị trấn Kiên Lương, Kiên Giang",
    },
}

_CCCD = re.compile(r"^\d{12}$")


def _answer(payload: dict[str, str], status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def citizen(request: HttpRequest, cccd: str) -> JsonResponse:
    if not getattr(settings, "EGOV_SIMULATORS", False):
        raise Http404("simulators are off")
    expected = str(settings.EGOV_LGSP_POPULATION_API_KEY or "")
    given = request.headers.get("X-Api-Key", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _answer({"ma_loi": "401", "thong_diep": "Khóa truy cập không đúng."}, 401)
    if not _CCCD.match(cccd):
        return _answer(
            {"ma_loi": "400", "thong_diep": "Số định danh cá nhân phải gồm 12 chữ số."}, 400
        )
    if cccd == FAILING_CCCD:
        return _answer({"ma_loi": "500", "thong_diep": "Lỗi hệ thống."}, 500)
    found = CITIZENS.get(cccd)
    if found is None:
        return _answer({"ma_loi": "404", "thong_diep": "Không tìm thấy công dân."}, 404)
    return _answer({"so_dinh_danh": cccd, **found})
