"""JSON API of the online payments app."""

from ninja import Router

router = Router()
