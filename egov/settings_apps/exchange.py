"""Settings of ``egov.exchange`` (edXML over the national document axis, issue 12)."""

from egov.conf import env

EGOV_EXCHANGE_TRANSPORT = env(
    "EGOV_EXCHANGE_TRANSPORT",
    "http",
    "How the national document axis is reached: http (the network) or inprocess (this "
    "process's simulator, for tests).",
)
EGOV_EXCHANGE_AXIS_URL = env(
    "EGOV_EXCHANGE_AXIS_URL",
    "",
    "Base URL of the national document axis API (VDXP); empty: the platform's own "
    "simulator under /lien-thong/mo-phong/api (demo and tests only).",
    shown_default="<EGOV_SIGNATURES_SIMULATOR_BASE_URL>/lien-thong/mo-phong/api",
)
EGOV_EXCHANGE_SYSTEM_ID = env(
    "EGOV_EXCHANGE_SYSTEM_ID",
    "egov.h33",
    "The platform's system id on the axis (sent with every request and signed).",
)
EGOV_EXCHANGE_SECRET = env(
    "EGOV_EXCHANGE_SECRET",
    "",
    "Shared secret of the HMAC-SHA256 request signature agreed with the axis. Required "
    "outside the demo; generated in the demo.",
)
EGOV_EXCHANGE_TIMEOUT_SECONDS = env(
    "EGOV_EXCHANGE_TIMEOUT_SECONDS", "20", "Timeout of one call to the axis, in seconds."
)
EGOV_EXCHANGE_CLOCK_SKEW_SECONDS = env(
    "EGOV_EXCHANGE_CLOCK_SKEW_SECONDS",
    300,
    "How far a signed request's timestamp may be from the clock (the simulator refuses older).",
    "int",
)
EGOV_EXCHANGE_MAX_ATTEMPTS = env(
    "EGOV_EXCHANGE_MAX_ATTEMPTS",
    12,
    "Attempts to send one message before it is given up (backoff doubles up to an hour).",
    "int",
)
EGOV_EXCHANGE_LEASE_SECONDS = env(
    "EGOV_EXCHANGE_LEASE_SECONDS",
    120,
    "How long a worker holds a message it is sending; a worker killed mid-send leaves it "
    "to be taken up again (with the same send key, so it is never doubled) after this.",
    "int",
)
EGOV_EXCHANGE_REQUIRE_TRUSTED_SIGNATURE = env(
    "EGOV_EXCHANGE_REQUIRE_TRUSTED_SIGNATURE",
    False,
    "Refuse received messages whose signature matches but whose certificate does not "
    "lead to a trust anchor (off: accepted and recorded as untrusted). Altered or unsigned "
    "messages are always refused.",
    "bool",
)
EGOV_EXCHANGE_ALL_THROUGH_AXIS = env(
    "EGOV_EXCHANGE_ALL_THROUGH_AXIS",
    False,
    "Send every recipient of an issued document through the national document axis, the "
    "agencies on this platform too (off: those are delivered on the platform directly and "
    "only recorded as edXML). For a province whose rules want every exchange on the axis, "
    "or to test the axis end to end with the province's own agencies.",
    "bool",
)
EGOV_EXCHANGE_SIM_SYSTEMS = env(
    "EGOV_EXCHANGE_SIM_SYSTEMS",
    [],
    "Other systems the simulated axis knows, comma-separated system-id:secret pairs (the "
    "platform's own system id and secret are always known).",
    "list",
)
EGOV_EXCHANGE_LOOKBACK_DAYS = env(
    "EGOV_EXCHANGE_LOOKBACK_DAYS",
    7,
    "Documents issued in the last so many days are looked at for sending through the "
    "exchange (older ones were queued when issued).",
    "int",
)
