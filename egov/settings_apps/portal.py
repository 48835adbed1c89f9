"""Settings of ``egov.portal`` (the public-service portal: catalogue, search, kiosk, SMS)."""

from egov.conf import env

EGOV_PORTAL_PAGE_SIZE = env(
    "EGOV_PORTAL_PAGE_SIZE",
    20,
    "Procedures per page in the public catalogue (/dich-vu-cong/thu-tuc/).",
    "int",
)
EGOV_PORTAL_SEARCH_MAX_CHARS = env(
    "EGOV_PORTAL_SEARCH_MAX_CHARS",
    200,
    "Longest catalogue search query read, in characters; longer queries are cut "
    "(the page says so).",
    "int",
)
EGOV_PORTAL_KIOSK_RESET_SECONDS = env(
    "EGOV_PORTAL_KIOSK_RESET_SECONDS",
    60,
    "Seconds the kiosk page (/dich-vu-cong/kiosk/) shows a lookup result before "
    "returning to the blank form.",
    "int",
)
EGOV_PORTAL_SMS_TOKEN = env(
    "EGOV_PORTAL_SMS_TOKEN",
    "",
    "Shared secret the SMS gateway sends as 'Authorization: Bearer <token>' to "
    "POST /api/v1/portal/sms. Empty: no check (then let only the gateway reach "
    "that address).",
)
EGOV_PORTAL_SMS_ASCII = env(
    "EGOV_PORTAL_SMS_ASCII",
    False,
    "Strip Vietnamese diacritics from SMS replies (160 characters per message "
    "instead of 70 with Unicode).",
    "bool",
)
