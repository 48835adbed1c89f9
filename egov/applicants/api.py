"""JSON API of the applicant space app."""

from ninja import Router

router = Router()
