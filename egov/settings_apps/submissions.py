"""Settings of ``egov.submissions``."""

from egov.conf import env  # noqa: F401
