"""Helpers for tests in every app: a client signed in as staff pages require."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import User


def sign_in_verified(client: Client, user: User) -> TOTPDevice:
    """Sign ``user`` in on ``client`` as if they had also entered their authenticator
    code (``staff_required`` pages need both); returns the device used."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def english_client() -> Client:
    """A client that chose English with the language switch (pages default to
    Vietnamese whatever the browser asks), so assertions can read English."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
