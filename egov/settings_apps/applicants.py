"""Settings of ``egov.applicants``."""

from egov.conf import env  # noqa: F401
