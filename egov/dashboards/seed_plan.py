"""Read the province's IT plan (Kế hoạch 176/KH-UBND, 27/12/2019) into data.

* The projects are read from the plan's two appendices (tab-separated tables:
  Phụ lục I, recurrent IT budget; Phụ lục II, public investment), a row broken by
  a page break joined back, and the appendix's stated total checked.
* The targets are the plan's own sentences (section III.2, "Mục tiêu cụ thể"): each
  row below quotes the words of the plan that state it, and loading fails if the
  quote is not found in the text, so the data cannot drift from the plan. Each row
  says which live measure (if any) evaluates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

PLAN_FILE = Path(__file__).parent / "fixtures_data" / "ke-hoach-176-KH-UBND-2019-kien-giang.txt"
PLAN_CODE = "176/KH-UBND"
PLAN_TITLE = (
    "Kế hoạch ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước "
    "tỉnh Kiên Giang năm 2020"
)
PLAN_YEAR = 2020
PLAN_DATE = date(2019, 12, 27)


@dataclass(frozen=True)
class TargetRow:
    code: str
    quote: str
    value: Decimal
    system: str
    measure: str = ""


# (code, the plan's words, value in %, system of the feature table, live measure)
TARGETS: tuple[TargetRow, ...] = (
    TargetRow(
        "MT01",
        "Tối thiểu 30% DVCTT thực hiện ở mức độ 4",
        Decimal(30),
        "Danh mục TTHC",
        "procedures.level4_share",
    ),
    TargetRow(
        "MT02",
        "Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ giải quyết TTHC "
        "của tỉnh đạt từ 20% trở lên",
        Decimal(20),
        "Một cửa điện tử",
        "dossiers.online_share",
    ),
    TargetRow(
        "MT03",
        "50% các cơ quan nhà nước công khai mức độ hài lòng của người dân",
        Decimal(50),
        "Một cửa điện tử",
        "feedback.publishing_share",
    ),
    TargetRow(
        "MT04",
        "đảm bảo trên 95% văn bản trao đổi giữa các cơ quan nhà nước (trừ văn bản "
        "mật) dưới dạng điện tử",
        Decimal(95),
        "QLVB-HSCV",
        "documents.electronic_share",
    ),
    TargetRow(
        "MT05",
        "tích hợp 30% các DVCTT mức độ 3, 4 của tỉnh với Cổng dịch vụ công quốc gia",
        Decimal(30),
        "Cổng DVCTT",
    ),
    TargetRow(
        "MT06",
        "100% hồ sơ giải quyết TTHC được thực hiện thông qua hệ thống MCĐT của tỉnh",
        Decimal(100),
        "Một cửa điện tử",
    ),
    TargetRow(
        "MT07",
        "100% dịch vụ công được giải đáp thắc mắc cho người dân, doanh nghiệp",
        Decimal(100),
        "Cổng DVCTT",
    ),
    TargetRow(
        "MT08", "20% DVCTT sử dụng chữ ký số trên nền tảng di động", Decimal(20), "Chữ ký số"
    ),
    TargetRow("MT09", "50% DVCTT xử lý bằng hồ sơ điện tử", Decimal(50), "Cổng DVCTT"),
    TargetRow(
        "MT10",
        "20% thông tin của người dân được tự động nhập vào biểu mẫu trực tuyến",
        Decimal(20),
        "Cổng DVCTT",
    ),
    TargetRow("MT11", "tối thiểu 80% hồ sơ công việc tại cấp tỉnh", Decimal(80), "QLVB-HSCV"),
    TargetRow("MT12", "60% hồ sơ công việc tại cấp huyện", Decimal(60), "QLVB-HSCV"),
    TargetRow("MT13", "60% hồ sơ công việc tại cấp xã", Decimal(60), "QLVB-HSCV"),
    TargetRow(
        "MT14", "Rút ngắn 30% - 50% thời gian họp", Decimal(30), "Hệ thống thông tin phục vụ họp"
    ),
    TargetRow(
        "MT15",
        "Tối thiểu 30% báo cáo định kỳ của tỉnh được gửi, nhận qua hệ thống "
        "thông tin báo cáo quốc gia",
        Decimal(30),
        "Hệ thống thông tin báo cáo",
        "reporting.sent_online_share",
    ),
    TargetRow(
        "MT16",
        "20% số lượng người dân và doanh nghiệp tham gia hệ thống thông tin Chính "
        "quyền điện tử tỉnh được xác thực danh điện tử thông suốt",
        Decimal(20),
        "Xác thực điện tử",
    ),
    TargetRow(
        "MT17",
        "bảo đảm 100% công chức được cấp hộp thư công vụ",
        Decimal(100),
        "Thư điện tử công vụ",
    ),
)


@dataclass
class ProjectRow:
    code: str
    group: str
    name: str
    owner: str
    partners: str
    budget: int
    funding: str  # "recurrent" or "investment"
    note: str


class SeedError(ValueError):
    """The plan's text does not say what the data claims."""


_ROMAN = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X)$")


def _amount(text: str) -> int:
    digits = text.replace(".", "").strip()
    return int(digits) if digits.isdigit() else 0


def _normalise(text: str) -> str:
    return " ".join(text.split())


def read_text(path: Path = PLAN_FILE) -> str:
    return path.read_text(encoding="utf-8")


def targets(text: str) -> list[TargetRow]:
    """The target rows, each checked against the plan's text."""
    flat = _normalise(text)
    for row in TARGETS:
        if _normalise(row.quote) not in flat:
            raise SeedError(f"target {row.code}: the plan does not say “{row.quote}”")
    return list(TARGETS)


def projects(text: str) -> tuple[list[ProjectRow], dict[str, int]]:
    """The projects of both appendices, and each appendix's stated total."""
    rows: list[ProjectRow] = []
    totals: dict[str, int] = {}
    funding, prefix, group = "", "", ""
    last: ProjectRow | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "PHỤ LỤC I":
            funding, prefix, group = "recurrent", "", ""
            continue
        if stripped == "PHỤ LỤC II":
            funding, prefix, group = "investment", "ĐT", ""
            continue
        if not funding or "\t" not in line:
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        cells += [""] * (6 - len(cells))
        number, name, owner, partners, budget, note = cells[:6]
        if number == "STT":
            continue
        if _ROMAN.match(number):
            prefix, group = number, name
            continue
        if not number and name.upper() == "TỔNG CỘNG":
            totals[funding] = _amount(budget)
            continue
        if not number and last is not None:
            # A row broken by a page break: its second half continues the last one.
            last.name = _normalise(f"{last.name} {name}")
            last.owner = _normalise(f"{last.owner} {owner}")
            continue
        if number.isdigit():
            last = ProjectRow(
                code=f"{prefix}.{number}" if prefix else number,
                group=group,
                name=_normalise(name),
                owner=_normalise(owner),
                partners=_normalise(partners),
                budget=_amount(budget),
                funding=funding,
                note=_normalise(note),
            )
            rows.append(last)
    for funding_kind, total in totals.items():
        found = sum(row.budget for row in rows if row.funding == funding_kind)
        if found != total:
            raise SeedError(f"appendix {funding_kind}: rows sum to {found}, the plan says {total}")
    return rows, totals
