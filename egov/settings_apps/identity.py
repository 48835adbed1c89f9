"""Settings of ``egov.identity``."""

from egov.conf import env  # noqa: F401
