"""PKCS#11 tokens: the signers' USB tokens and the server's agency token.

In the demo and tests the tokens are SoftHSM2 tokens (Debian's ``softhsm2``) in a
store under the PKI directory, made by ``make_test_pki``; in production the
token vendor's PKCS#11 library is set in ``EGOV_SIGNATURES_PKCS11_MODULE``. Keys
are generated inside the token and never leave it. A PIN is passed through and
never kept, logged or put in an error message.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from egov.signatures import errors

#: Token labels are at most 32 characters (PKCS#11).
MAX_LABEL = 32


def softhsm_conf() -> Path:
    configured = str(settings.EGOV_SIGNATURES_SOFTHSM_CONF or "")
    if configured:
        return Path(configured)
    return Path(settings.EGOV_SIGNATURES_PKI_DIR) / "softhsm2.conf"


def _use_conf() -> None:
    """SoftHSM reads its configuration from the environment when it is loaded."""
    os.environ.setdefault("SOFTHSM2_CONF", str(softhsm_conf()))


def ensure_softhsm_store() -> Path:
    """Write the SoftHSM2 configuration and its token directory (demo)."""
    conf = softhsm_conf()
    tokens = conf.parent / "softhsm-tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    tokens.chmod(0o700)
    if not conf.exists():
        conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
    _use_conf()
    return conf


def _lib() -> Any:
    import pkcs11

    _use_conf()
    return pkcs11.lib(str(settings.EGOV_SIGNATURES_PKCS11_MODULE))


def token_labels() -> list[str]:
    return [slot.get_token().label for slot in _lib().get_slots(token_present=True)]


def _token(label: str) -> Any:
    import pkcs11

    try:
        return _lib().get_token(token_label=label)
    except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned):
        raise errors.TokenMissing() from None


def init_token(label: str, pin: str) -> None:
    """Create a SoftHSM2 token (demo set-up). The security officer's PIN is random
    and forgotten: a lost user PIN means a new token and a new certificate."""
    if len(label) > MAX_LABEL:
        raise ValueError(f"token label over {MAX_LABEL} characters: {label}")
    ensure_softhsm_store()
    env = {**os.environ, "SOFTHSM2_CONF": str(softhsm_conf())}
    # The PINs are typed at softhsm2-util's prompts through a pseudo-terminal, never
    # put on its command line (where `ps` would show them to every user).
    _run_answering(
        ["softhsm2-util", "--init-token", "--free", "--label", label],
        env,
        {"so pin": secrets.token_urlsafe(24), "user pin": pin},
    )
    # A new token appears to a library that is already loaded only after reloading.
    reload_library()


def _run_answering(
    args: list[str], env: dict[str, str], answers: dict[str, str], timeout: float = 30
) -> None:
    """Run ``args`` on a pseudo-terminal, answering each prompt that names a key of
    ``answers`` (case-insensitive) with its value. Fails without echoing the answers."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: become the tool (its /dev/tty is the pseudo-terminal)
        try:
            os.execvpe(args[0], args, env)  # noqa: S606 - fixed Debian tool, our arguments
        finally:
            os._exit(127)
    pending = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _w, _x = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal: it has finished
                break
            if not chunk:
                break
            pending += chunk
            lines = pending.replace(b"\r", b"\n").split(b"\n")
            prompt = lines[-1].decode(errors="replace").strip().lower()
            if prompt.endswith(":"):
                for key, value in answers.items():
                    if key in prompt:
                        os.write(fd, value.encode() + b"\n")
                        pending = b""
                        break
        else:
            os.kill(pid, 9)
    finally:
        os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{args[0]} {args[1]} failed (exit {code})")


def reload_library() -> None:
    import pkcs11

    module = str(settings.EGOV_SIGNATURES_PKCS11_MODULE)
    try:
        pkcs11.lib(module).reinitialize()
    except Exception:  # not loaded yet: nothing to refresh
        return


@contextmanager
def session(label: str, pin: str) -> Iterator[Any]:
    """A logged-in session of token ``label``; a wrong PIN is a :class:`errors.WrongPin`."""
    import pkcs11

    token = _token(label)
    try:
        opened = token.open(user_pin=pin, rw=True)
    except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange):
        raise errors.WrongPin() from None
    except pkcs11.PinLocked:
        raise errors.PinLocked() from None
    try:
        yield opened
    finally:
        opened.close()


def generate_key(label: str, pin: str, key_label: str) -> bytes:
    """A new RSA-2048 signing key inside token ``label``; returns its public key
    (SubjectPublicKeyInfo, DER). An existing key of that label is kept and returned."""
    from asn1crypto import keys as asn1_keys
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.util.rsa import encode_rsa_public_key

    with session(label, pin) as opened:
        found = list(
            opened.get_objects(
                {Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: key_label}
            )
        )
        if found:
            public = found[0]
        else:
            public, _private = opened.generate_keypair(
                KeyType.RSA,
                2048,
                store=True,
                label=key_label,
                id=key_label.encode()[:32],
                private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
            )
        pkcs1 = encode_rsa_public_key(public)
    info = asn1_keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "rsa", "parameters": None},
            "public_key": asn1_keys.RSAPublicKey.load(pkcs1),
        }
    )
    return bytes(info.dump())
