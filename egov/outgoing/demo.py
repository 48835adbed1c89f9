"""Demo outgoing documents, made through the services (filled in below)."""

from __future__ import annotations


def load_demo_outgoing() -> str:
    return "0 documents"
