"""Settings of ``egov.feedback``."""

from egov.conf import env  # noqa: F401
