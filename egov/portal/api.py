"""JSON API of the public-service portal app."""

from ninja import Router

router = Router()
