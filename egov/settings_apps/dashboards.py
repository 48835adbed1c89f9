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

EGOV_DASHBOARD_WARM_SECONDS = env(
    "EGOV_DASHBOARD_WARM_SECONDS",
    300,
    "How often the background job dashboards.warm_figures recomputes the leaders' key "
    "figures (the whole province and each leader's subtree, every period the dashboard "
    "offers) into the cache, so no leader waits for a province-wide count. The running "
    "periods' figures are at most this old. Needs a cache shared by the processes "
    "(EGOV_CACHE redis, file or database).",
    "int",
)
