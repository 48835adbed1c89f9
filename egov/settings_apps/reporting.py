"""Settings of ``egov.reporting`` (periodic reports, Nghị định 09/2019)."""

from egov.conf import env

EGOV_GOVREPORT_URL = env(
    "EGOV_GOVREPORT_URL",
    "http://127.0.0.1:8000/bao-cao/mo-phong/chinh-phu",
    "Base address of the Government reporting system's JSON API (reports are POSTed to "
    "`<base>/reports`). The default is the simulator served by this platform when "
    "EGOV_SIMULATORS is on.",
)
EGOV_GOVREPORT_SECRET = env(
    "EGOV_GOVREPORT_SECRET",
    "",
    "Shared secret signing (HMAC-SHA256, header X-Signature) the reports sent to the "
    "Government reporting system; the simulator checks it. Empty: reports are not sent. "
    "Generated in the demo.",
)
EGOV_GOVREPORT_TRANSPORT = env(
    "EGOV_GOVREPORT_TRANSPORT",
    "http",
    "How calls reach the Government reporting system: `http` or `inprocess` (this "
    "process, for the simulator in tests and single-process demos).",
)
EGOV_GOVREPORT_TIMEOUT_SECONDS = env(
    "EGOV_GOVREPORT_TIMEOUT_SECONDS",
    15,
    "Seconds to wait for the Government reporting system's answer.",
    "int",
)
