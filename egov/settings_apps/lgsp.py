"""Settings of ``egov.lgsp`` (the provincial integration platform, LGSP)."""

from egov.conf import env

EGOV_LGSP_INSTANCE = env(
    "EGOV_LGSP_INSTANCE",
    "VN",
    "X-Road instance of this integration platform: the first part of every member, "
    "subsystem and service identifier it registers.",
)
EGOV_LGSP_TOKEN_AUDIENCE = env(
    "EGOV_LGSP_TOKEN_AUDIENCE",
    "lgsp",
    "Audience (`aud`) a consumer's signed token must name to be accepted by the gateway.",
)
EGOV_LGSP_TOKEN_MAX_AGE = env(
    "EGOV_LGSP_TOKEN_MAX_AGE",
    300,
    "Longest lifetime (exp − iat, in seconds) of a consumer's signed token; longer ones are "
    "refused. Clocks may differ by 30 s.",
    "int",
)
EGOV_LGSP_BODY_RETENTION_DAYS = env(
    "EGOV_LGSP_BODY_RETENTION_DAYS",
    30,
    "Days the message log keeps request and response bodies; after that the purge job "
    "empties them (their hashes, in the chain, stay).",
    "int",
)
EGOV_LGSP_MAX_BODY_BYTES = env(
    "EGOV_LGSP_MAX_BODY_BYTES",
    1_000_000,
    "Largest request body the gateway forwards (bytes); larger ones get 413.",
    "int",
)
EGOV_LGSP_LOGGED_BODY_BYTES = env(
    "EGOV_LGSP_LOGGED_BODY_BYTES",
    65_536,
    "Bytes of a request or response body kept in the message log (the hash covers the whole body).",
    "int",
)
EGOV_LGSP_POPULATION_URL = env(
    "EGOV_LGSP_POPULATION_URL",
    "http://localhost:8000/lgsp/mo-phong/dan-cu",
    "Base URL of the national population database's citizen lookup (the local simulator by "
    "default).",
)
EGOV_LGSP_POPULATION_API_KEY = env(
    "EGOV_LGSP_POPULATION_API_KEY",
    "",
    "API key the platform presents to the national population database (and the simulator "
    "expects). Required outside the demo; generated in the demo.",
)
