"""Settings of ``egov.notifications``."""

from egov.conf import env  # noqa: F401
