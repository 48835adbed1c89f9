"""The national public-service portal (DVCQG): what a dossier's state looks like
when sent, the adapter that sends it (ADR 7) and the local simulator.

The fields are those the 766 index reads (``index-766.md``, last section): the
dossier's code, procedure and agency codes, ``TrangThaiHoSo`` (1–10) and the
portal's text state (with "interoperating" — liên thông — while another agency
handles a step, and "posting" — bưu chính — while a result travels by post),
``KenhThucHien``, the dates as ``yyyyMMddHHmmss`` (local time), fee lines, paid
online, papers with their "digitised" and "from the national store" flags, the
result and the VNeID flag.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from egov.applicants import selectors as applicant_selectors
from egov.core.integrations import HeaderSigner, HmacSha256Signer, OutsideSystem, transport_for
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.models import Channel, Dossier, PaperOrigin, Status
from egov.payments import selectors as payment_selectors

SIGNATURE_HEADER = "X-DVCQG-Signature"
SIMULATOR_PATH = "/mo-phong/dvcqg/ho-so/"

#: The portal's text states beside the ten numbered ones.
TEXT_STATES = {
    Status.SUBMITTED: "MOI_DANG_KY",
    Status.RECEIVED: "DUOC_TIEP_NHAN",
    Status.REFUSED: "KHONG_DUOC_TIEP_NHAN",
    Status.PROCESSING: "DANG_XU_LY",
    Status.SUPPLEMENT_REQUESTED: "YEU_CAU_BO_SUNG",
    Status.AWAITING_PAYMENT: "YEU_CAU_NGHIA_VU_TAI_CHINH",
    Status.WITHDRAWN: "RUT_HO_SO",
    Status.STOPPED: "DUNG_XU_LY",
    Status.RESULT_READY: "DA_XU_LY_XONG",
    Status.RETURNED: "DA_TRA_KET_QUA",
}
INTEROPERATING = "LIEN_THONG"
POSTING = "CHUYEN_BUU_CHINH"


def stamp(moment: datetime | None) -> str:
    """``yyyyMMddHHmmss`` in the province's time; empty when unknown."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S")


def text_state(dossier: Dossier, posting: bool = False) -> str:
    if dossier.consult_origin_unit_id is not None and dossier.status == Status.PROCESSING:
        return INTEROPERATING
    if posting and dossier.status == Status.RESULT_READY:
        return POSTING
    return TEXT_STATES[Status(dossier.status)]


def dossier_for_sync(pk: int) -> Dossier:
    return dossier_selectors.dossier_for_sync(pk)


def payload(dossier: Dossier) -> dict[str, Any]:
    papers = [p for p in dossier.papers.all() if not p.is_draft]
    results = [p for p in papers if p.is_result]
    given = [p for p in papers if not p.is_result]
    supplements = [stamp(e.at) for e in dossier.events.all() if e.action == "request_supplement"]
    paid = payment_selectors.has_paid_online(dossier)
    return {
        "MaHoSo": dossier.code,
        "PhienBan": dossier.version,
        "MaTTHC": dossier.procedure_version.procedure.national_code,
        "MaCoQuan": dossier.receiving_agency.code,
        "TrangThaiHoSo": int(dossier.status),
        "TrangThaiVanBan": text_state(dossier, posting=applicant_selectors.result_in_post(dossier)),
        "KenhThucHien": int(dossier.channel or Channel.DESK),
        "NgayTiepNhan": stamp(dossier.received_at),
        "NgayHenTra": stamp(dossier.due_at),
        "NgayKetThucXuLy": stamp(dossier.resolved_at or dossier.closed_at),
        "NgayTra": stamp(dossier.returned_at),
        "NgayYeuCauBoSung": supplements,
        "SoLanYeuCauBoSung": dossier.supplement_requests,
        "PhiLePhi": [
            {"TenPhiLePhi": str(line.get("name", "")), "SoTien": line.get("amount")}
            for line in (dossier.procedure_version.fees or [])
            if isinstance(line, dict)
        ],
        "TongPhi": dossier.fee_amount,
        "ThanhToanTrucTuyen": 2 if paid else 0,
        "GiayTo": [
            {
                "TenGiayTo": p.name,
                "DaSoHoa": bool(p.file),
                "TuKhoDVCQG": p.origin == PaperOrigin.NATIONAL_STORE,
                "NguonGoc": p.origin,
            }
            for p in given
        ],
        "KetQua": [{"TenGiayTo": p.name, "CoTep": bool(p.file)} for p in results],
        "XacThucVNeID": dossier.applicant_vneid,
    }


def portal_system() -> OutsideSystem:
    secret = settings.EGOV_DVCQG_SECRET
    return OutsideSystem(
        "dvcqg",
        transport=transport_for(settings.EGOV_DVCQG_TRANSPORT),
        timeout=settings.EGOV_DVCQG_TIMEOUT_SECONDS,
        signer=HeaderSigner(HmacSha256Signer(secret), SIGNATURE_HEADER) if secret else None,
    )


def endpoint() -> str:
    return settings.EGOV_DVCQG_URL or settings.EGOV_PUBLIC_BASE_URL.rstrip("/") + SIMULATOR_PATH


def send(body: dict[str, Any]) -> tuple[bool, str]:
    """POST one state; acknowledged when the portal answers 200 with ``{"ok": true}``.
    The portal keys states by (code, version), so a repeat is harmless."""
    response = portal_system().post_json("push_dossier", endpoint(), body, idempotent=True)
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    ok = response.status == 200 and bool(answer.get("ok"))
    return ok, json.dumps(answer, ensure_ascii=False)[:500] if answer else f"HTTP {response.status}"


# --- the simulator ---------------------------------------------------------------------------

#: What the simulator received, per dossier code: the last version (per process).
RECEIVED: dict[str, dict[str, Any]] = {}
REQUIRED = ("MaHoSo", "MaTTHC", "MaCoQuan", "TrangThaiHoSo", "KenhThucHien")


@csrf_exempt
@require_POST
def simulator(request: HttpRequest) -> JsonResponse:
    """A stand-in for the portal: checks the signature and the required fields,
    and acknowledges. Served only when the platform's simulators are on."""
    if not settings.EGOV_SIMULATORS:
        return JsonResponse({"ok": False, "error": "not found"}, status=404)
    secret = settings.EGOV_DVCQG_SECRET
    if secret:
        signer = HeaderSigner(HmacSha256Signer(secret), SIGNATURE_HEADER)
        if not signer.verify(request.body, request.headers.get(SIGNATURE_HEADER)):
            return JsonResponse({"ok": False, "error": "chữ ký không hợp lệ"}, status=401)
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"ok": False, "error": "JSON không hợp lệ"}, status=400)
    missing = [name for name in REQUIRED if body.get(name) in (None, "")]
    if missing:
        return JsonResponse(
            {"ok": False, "error": f"thiếu trường: {', '.join(missing)}"}, status=422
        )
    with transaction.atomic():
        RECEIVED[str(body["MaHoSo"])] = body
    return JsonResponse({"ok": True, "MaHoSo": body["MaHoSo"], "PhienBan": body.get("PhienBan")})
