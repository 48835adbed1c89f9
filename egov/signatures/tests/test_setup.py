"""The test PKI's set-up and guards: idempotent command, deploy check refusing the
demo PKI outside the demo, the simulated phone (own requests only), the audited
admin of trust anchors."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry
from egov.signatures import checks, pki, services
from egov.signatures.models import KeyKind, SigningKey, SimulatedRemoteRequest, TrustAnchor
from egov.signatures.tests.conftest import USER_PIN, World


def test_make_test_pki_is_idempotent(world: World) -> None:
    keys = SigningKey.objects.count()
    out = StringIO()
    call_command("make_test_pki", user_pin=USER_PIN, stdout=out)
    assert SigningKey.objects.count() == keys  # nothing made twice
    assert "giamdoc.stttt" in out.getvalue()
    assert {k.kind for k in SigningKey.objects.filter(user=world.leader)} == {
        KeyKind.TOKEN,
        KeyKind.REMOTE,
    }
    assert SigningKey.objects.filter(unit=world.agency, kind=KeyKind.AGENCY).count() == 1


def test_make_test_pki_refused_outside_the_demo(world: World, settings: Any) -> None:
    settings.EGOV_SIGNATURES_DEMO_PKI = False
    with pytest.raises(CommandError, match="only for the demo"):
        call_command("make_test_pki", user_pin=USER_PIN)


def test_deploy_check_refuses_the_demo_pki(settings: Any) -> None:
    settings.EGOV_SIGNATURES_DEMO_PKI = True
    assert [message.id for message in checks.check_demo_pki()] == ["egov.E040"]
    settings.EGOV_SIGNATURES_DEMO_PKI = False
    assert checks.check_demo_pki() == []


def test_demo_root_is_not_trusted_when_the_demo_pki_is_off(world: World, settings: Any) -> None:
    from egov.signatures import trust

    assert trust.anchors()
    settings.EGOV_SIGNATURES_DEMO_PKI = False
    assert trust.anchors() == []
    # An operator who loads the demo root by hand, unflagged, is caught by its mark.
    TrustAnchor.objects.update(is_demo=False)
    assert trust.anchors() == []


def test_phone_shows_only_the_signers_own_requests(world: World) -> None:
    from django.utils import timezone

    mine = SimulatedRemoteRequest.objects.create(
        account=world.leader.username,
        digest="00" * 32,
        digest_algorithm="sha256",
        description="Quyết định của tôi",
        expires_at=timezone.now() + pki.dt.timedelta(minutes=5),
    )
    SimulatedRemoteRequest.objects.create(
        account="nguoi.khac",
        digest="00" * 32,
        digest_algorithm="sha256",
        description="Văn bản của người khác",
        expires_at=timezone.now() + pki.dt.timedelta(minutes=5),
    )
    client = Client()
    sign_in_verified(client, world.leader)
    page = client.get("/chu-ky-so/mo-phong/ky-tu-xa/dien-thoai/")
    text = page.content.decode()
    assert "Quyết định của tôi" in text and "Văn bản của người khác" not in text
    answered = client.post(
        "/chu-ky-so/mo-phong/ky-tu-xa/dien-thoai/", {"request": str(mine.id), "answer": "refuse"}
    )
    assert answered.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "refused"


def test_signature_image_is_audited(world: World) -> None:
    from egov.signatures.testpki import demo_signature_png

    services.upload_image(
        actor=world.leader, kind="signature", data=demo_signature_png("B"), user=world.leader
    )
    entry = AuditEntry.objects.filter(
        action="signatures.signature_image_uploaded", actor=world.leader
    ).last()
    assert entry is not None and entry.actor == world.leader and len(entry.changes["sha256"]) == 64
    from egov.signatures.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.upload_image(
            actor=world.leader, kind="seal", data=demo_signature_png("B"), unit=world.province
        )


def test_operator_adds_a_trust_anchor_in_the_admin(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    root, _ca, _tsa = pki.load_authorities()
    TrustAnchor.objects.all().delete()
    world.operator.is_staff = True  # the admin site's own door
    world.operator.save(update_fields=["is_staff"])
    client = Client()
    sign_in_verified(client, world.operator)
    answer = client.post(
        "/admin/signatures/trustanchor/add/",
        {
            "name": "Root CA quốc gia (thử)",
            "enabled": "on",
            "certificate_file": SimpleUploadedFile(
                "root.pem", (pki.pki_dir() / "root.pem").read_bytes()
            ),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert answer["Location"] == "/admin/signatures/trustanchor/", answer["Location"]
    anchor = TrustAnchor.objects.get()
    assert bytes(anchor.certificate) == root.der
    assert AuditEntry.objects.filter(action="signatures.anchor_added").exists()
    world.leader.is_staff = True
    world.leader.save(update_fields=["is_staff"])
    sign_in_verified(client, world.leader)  # admin access, but not an operator
    assert client.get("/admin/signatures/trustanchor/").status_code == 403


def test_images_page_refuses_a_jpeg_in_vietnamese(world: World) -> None:
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = _io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(buffer, "JPEG")
    client = Client()
    sign_in_verified(client, world.leader)
    answer = client.post(
        "/chu-ky-so/anh-chu-ky/",
        {"image": SimpleUploadedFile("chu-ky.png", buffer.getvalue(), content_type="image/png")},
    )
    assert answer.status_code == 422
    assert "Tệp tải lên là ảnh JPEG" in answer.content.decode()


def test_a_new_token_never_has_its_pin_on_the_command_line(
    pki_settings: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from egov.signatures import errors, tokens

    seen: list[list[str]] = []
    real = tokens._run_answering

    def spy(args: list[str], env: dict[str, str], answers: dict[str, str]) -> None:
        seen.append(list(args))
        real(args, env, answers)

    monkeypatch.setattr(tokens, "_run_answering", spy)
    tokens.ensure_softhsm_store()
    tokens.init_token("egov-pin-test", "975310")
    assert "egov-pin-test" in tokens.token_labels()
    [args] = seen
    assert not any("975310" in arg for arg in args)  # what `ps` would show
    with tokens.session("egov-pin-test", "975310"):
        pass
    with pytest.raises(errors.WrongPin), tokens.session("egov-pin-test", "000000"):
        pass
