"""Settings of ``egov.quality`` (the 766 index and the sync to the national portal)."""

from egov.conf import env

EGOV_DVCQG_URL = env(
    "EGOV_DVCQG_URL",
    "",
    "Endpoint of the national public-service portal (DVCQG) receiving dossier states. "
    "Empty: the local simulator under EGOV_PUBLIC_BASE_URL (/mo-phong/dvcqg/ho-so/).",
)
EGOV_DVCQG_SECRET = env(
    "EGOV_DVCQG_SECRET",
    "",
    "Shared secret of the HMAC-SHA256 signature (header X-DVCQG-Signature) on the states "
    "sent to the national portal. Required outside the demo; generated in the demo.",
)
EGOV_DVCQG_TRANSPORT = env(
    "EGOV_DVCQG_TRANSPORT",
    "http",
    "How calls reach the national portal: 'http' or 'inprocess' (tests, demo).",
)
EGOV_DVCQG_TIMEOUT_SECONDS = env(
    "EGOV_DVCQG_TIMEOUT_SECONDS", 10, "Seconds to wait for the national portal.", "int"
)
