"""JSON API of the online submission app."""

from ninja import Router

router = Router()
