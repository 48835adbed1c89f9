"""Validators for identifiers whose format is a setting, not code."""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def validate_agency_code(value: str) -> None:
    """An electronic identifier code must match one of EGOV_AGENCY_CODE_PATTERNS."""
    patterns = _compiled(tuple(settings.EGOV_AGENCY_CODE_PATTERNS))
    if not any(p.fullmatch(value) for p in patterns):
        raise ValidationError(
            _("“%(value)s” is not a valid electronic identifier code (e.g. 000.00.00.H33)."),
            code="invalid_agency_code",
            params={"value": value},
        )
