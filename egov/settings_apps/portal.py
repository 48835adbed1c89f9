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
    "POST /api/v1/portal/sms (a long random value). Required outside the demo, where "
    "the endpoint refuses every request while it is empty; in the demo, empty means "
    "no check.",
)
EGOV_PORTAL_SMS_ASCII = env(
    "EGOV_PORTAL_SMS_ASCII",
    False,
    "Strip Vietnamese diacritics from SMS replies (160 characters per message "
    "instead of 70 with Unicode).",
    "bool",
)
EGOV_PORTAL_SMS_GATEWAY_UNKNOWN_LIMIT = env(
    "EGOV_PORTAL_SMS_GATEWAY_UNKNOWN_LIMIT",
    200,
    "Lookups of unknown dossier codes the SMS gateway may pass on per window "
    "(EGOV_LOOKUP_WINDOW_SECONDS), whatever sender numbers they carry; then every SMS "
    "lookup waits for the next window (stops guessing through many numbers).",
    "int",
)
EGOV_PORTAL_SMS_GATEWAY_LIMIT = env(
    "EGOV_PORTAL_SMS_GATEWAY_LIMIT",
    6000,
    "All SMS lookups the gateway may pass on per window, whatever the sender numbers.",
    "int",
)
