"""Settings of ``egov.outgoing``."""

from egov.conf import env

EGOV_OUTGOING_DEFAULT_PLACE = env(
    "EGOV_OUTGOING_DEFAULT_PLACE",
    "Kiên Giang",
    "Place name printed before the date of outgoing documents (Nghị định 30/2020, "
    "Phụ lục I: the province, district or commune where the agency sits) when the "
    "draft does not name one.",
)
