"""JSON API of the national identity sign-in app."""

from ninja import Router

router = Router()
