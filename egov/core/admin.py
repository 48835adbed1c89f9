"""Admin registrations of the foundation. Each module registers itself and routes
writes through the services."""

from egov.core import admin_calendar, admin_integrations, admin_units  # noqa: F401
