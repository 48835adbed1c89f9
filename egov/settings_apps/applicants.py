"""Settings of ``egov.applicants`` (the applicant's own space and the postal service)."""

from egov.conf import env

APPLICANTS_PAGE_SIZE = env(
    "APPLICANTS_PAGE_SIZE", 20, "Dossiers per page in the applicant's own list.", "int"
)
APPLICANTS_POSTAL_ADAPTER = env(
    "APPLICANTS_POSTAL_ADAPTER",
    "http",
    "Postal service used to deliver results by public post: `http` (the JSON API at "
    "APPLICANTS_POSTAL_API_URL; the local simulator by default) or `none` (delivery by "
    "post not offered).",
)
APPLICANTS_POSTAL_API_URL = env(
    "APPLICANTS_POSTAL_API_URL",
    "http://127.0.0.1:8000/ca-nhan/mo-phong/buu-dien/api",
    "Base URL of the public postal service's parcel API (VNPost). The default is the "
    "local simulator served when EGOV_SIMULATORS is on.",
)
APPLICANTS_POSTAL_API_KEY = env(
    "APPLICANTS_POSTAL_API_KEY",
    "",
    "Key the platform sends (Authorization: Bearer) to the postal API. Required outside "
    "the demo when APPLICANTS_POSTAL_ADAPTER is http; generated in the demo.",
)
APPLICANTS_POSTAL_CALLBACK_SECRET = env(
    "APPLICANTS_POSTAL_CALLBACK_SECRET",
    "",
    "Shared secret of the HMAC-SHA256 signature on the postal service's delivery "
    "status callbacks (header X-Postal-Signature): a long random value agreed with the "
    "postal service. Required outside the demo; generated in the demo.",
)
APPLICANTS_POSTAL_CALLBACK_URL = env(
    "APPLICANTS_POSTAL_CALLBACK_URL",
    "",
    "Address the postal service calls back with delivery statuses; empty: "
    "EGOV_PUBLIC_BASE_URL + /api/v1/me/postal/callback.",
)
APPLICANTS_POSTAL_TIMEOUT_SECONDS = env(
    "APPLICANTS_POSTAL_TIMEOUT_SECONDS", 10, "Timeout of one call to the postal API.", "int"
)
APPLICANTS_POSTAL_FEE = env(
    "APPLICANTS_POSTAL_FEE",
    25000,
    "Fee (đồng) shown to the applicant for delivery of the result by public post.",
    "int",
)
APPLICANTS_POSTAL_MAX_ATTEMPTS = env(
    "APPLICANTS_POSTAL_MAX_ATTEMPTS",
    8,
    "Booking attempts of one parcel before it is left for the desk to handle.",
    "int",
)
APPLICANTS_POSTAL_INPROCESS = env(
    "APPLICANTS_POSTAL_INPROCESS",
    False,
    "Route the postal client's and simulator's HTTP calls through Django in the same "
    "process instead of the network (tests and single-process demos).",
    "bool",
)
