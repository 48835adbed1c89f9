"""Settings of ``egov.payments``."""

from egov.conf import env  # noqa: F401
