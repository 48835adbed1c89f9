"""Demo data of notifications: the shipped templates (idempotent). The outbox fills
itself as the demo dossiers are made through the dossier services."""

from __future__ import annotations

from egov.notifications.defaults import ensure_default_templates


def load_demo_notifications() -> int:
    """Create the missing default templates; return how many were created."""
    return ensure_default_templates()
