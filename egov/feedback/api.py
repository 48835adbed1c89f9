"""JSON API of the feedback and questions app."""

from ninja import Router

router = Router()
