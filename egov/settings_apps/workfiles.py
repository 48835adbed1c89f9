"""Settings of ``egov.workfiles`` (work files and their hand-over to the archive)."""

from egov.conf import env

EGOV_WORKFILES_HANDOVER_WARNING_DAYS = env(
    "EGOV_WORKFILES_HANDOVER_WARNING_DAYS",
    30,
    "Days before a closed work file is due at the agency archive (nộp lưu) when its "
    "responsible person and the records clerks are warned.",
    "int",
)
EGOV_WORKFILES_HANDOVER_MIN_YEARS = env(
    "EGOV_WORKFILES_HANDOVER_MIN_YEARS",
    5,
    "Work files kept at least this many years (or permanently) are handed over to the "
    "agency archive; shorter ones stay with the unit until destroyed.",
    "int",
)
