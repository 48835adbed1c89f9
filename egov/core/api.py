"""JSON API of the foundation: calendar."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["calendar"])
