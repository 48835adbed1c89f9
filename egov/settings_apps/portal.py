"""Settings of ``egov.portal``."""

from egov.conf import env  # noqa: F401
