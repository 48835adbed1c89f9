"""Settings of ``egov.payments`` (online payment of fees through the national
payment platform, "PayGov", of the National Public Service Portal)."""

from egov.conf import env

EGOV_PAYGOV_MERCHANT_CODE = env(
    "EGOV_PAYGOV_MERCHANT_CODE",
    "KG-EGOV",
    "Merchant code the national payment platform gave the province (sent with every "
    "payment request and checked on every answer).",
)
EGOV_PAYGOV_SECRET = env(
    "EGOV_PAYGOV_SECRET",
    "",
    "Shared secret for the HMAC-SHA256 signatures exchanged with the national payment "
    "platform (a long random value agreed with it). Required outside the demo; "
    "generated in the demo.",
)
EGOV_PAYGOV_PAY_URL = env(
    "EGOV_PAYGOV_PAY_URL",
    "",
    "Payment page of the national payment platform the applicant is sent to. Empty: the "
    "local simulator (/thanh-toan/mo-phong/).",
)
EGOV_PAYGOV_QUERY_URL = env(
    "EGOV_PAYGOV_QUERY_URL",
    "",
    "Transaction status endpoint of the platform, used by reconciliation; the reference "
    "is appended. Empty: the local simulator under EGOV_PUBLIC_BASE_URL.",
)
EGOV_PAYGOV_CALLBACK_URL = env(
    "EGOV_PAYGOV_CALLBACK_URL",
    "",
    "Simulator only: where the simulated platform sends its server-to-server "
    "notifications. Empty: /api/v1/payments/callback on the host the simulator was "
    "reached at.",
)
EGOV_PAYMENTS_TRANSPORT = env(
    "EGOV_PAYMENTS_TRANSPORT",
    "http",
    "How calls reach the payment platform (and the simulator's notifications reach us): "
    "'http' (the network) or 'inprocess' (this process itself: tests, single-process "
    "demo). The dotted paths of the former classes are still understood.",
)
EGOV_PAYGOV_TIMEOUT_SECONDS = env(
    "EGOV_PAYGOV_TIMEOUT_SECONDS",
    10,
    "Seconds to wait for the payment platform (and for our callback, in the simulator).",
    "int",
)
EGOV_PAYMENTS_EXPIRY_MINUTES = env(
    "EGOV_PAYMENTS_EXPIRY_MINUTES",
    15,
    "Minutes a payment request stays payable on the platform (sent as its expiry).",
    "int",
)
EGOV_PAYMENTS_RECONCILE_AFTER_MINUTES = env(
    "EGOV_PAYMENTS_RECONCILE_AFTER_MINUTES",
    20,
    "Reconciliation asks the platform about payments still pending after this many "
    "minutes (keep it above EGOV_PAYMENTS_EXPIRY_MINUTES).",
    "int",
)
EGOV_PAYMENTS_PLATFORM = env(
    "EGOV_PAYMENTS_PLATFORM",
    "egov.payments.adapters.PayGovPlatform",
    "Dotted path of the payment platform adapter (the class that signs requests, checks "
    "answers and asks for a transaction's status).",
)
