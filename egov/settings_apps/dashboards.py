"""Settings of the staff dashboards (``egov.core.staff_dashboard``, ``egov.dashboards``)."""

from egov.conf import env

EGOV_DASHBOARD_PROVINCE_WIDE_UNITS = env(
    "EGOV_DASHBOARD_PROVINCE_WIDE_UNITS",
    ["000.00.00.H33", "000.00.01.H33"],
    "Identifier codes of the units whose leaders see the whole province on their "
    "dashboard (the provincial People's Committee and its office), comma-separated. "
    "Platform operators always see the whole province. The default is the demo tree's.",
    "list",
    shown_default="000.00.00.H33,000.00.01.H33",
)
