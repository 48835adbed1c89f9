"""Settings of ``egov.notifications`` (e-mail and SMS to applicants)."""

from egov.conf import env

EGOV_NOTIFY_CHANNELS = env(
    "EGOV_NOTIFY_CHANNELS",
    ["email", "sms"],
    "Comma-separated channels on which applicants are notified of their dossiers: email, sms. "
    "Leave a channel out to queue nothing on it.",
    "list",
)
EGOV_NOTIFY_MAX_ATTEMPTS = env(
    "EGOV_NOTIFY_MAX_ATTEMPTS",
    6,
    "Attempts to deliver one notification before it is given up as dead.",
    "int",
)
EGOV_NOTIFY_BACKOFF_SECONDS = env(
    "EGOV_NOTIFY_BACKOFF_SECONDS",
    30,
    "Wait before the second attempt of a failed notification; doubles at each attempt "
    "(with random jitter), up to EGOV_NOTIFY_BACKOFF_MAX_SECONDS.",
    "int",
)
EGOV_NOTIFY_BACKOFF_MAX_SECONDS = env(
    "EGOV_NOTIFY_BACKOFF_MAX_SECONDS",
    3600,
    "Longest wait between two attempts of a notification.",
    "int",
)
EGOV_NOTIFY_LEASE_SECONDS = env(
    "EGOV_NOTIFY_LEASE_SECONDS",
    300,
    "How long a worker holds a notification it is sending; if the worker dies, another "
    "one retries it after this time.",
    "int",
)
EGOV_SMS_GATEWAY = env(
    "EGOV_SMS_GATEWAY",
    "egov.notifications.adapters.HttpSmsGateway",
    "Dotted path of the SMS gateway adapter. The default speaks the brandname-SMS JSON API "
    "at EGOV_SMS_API_URL (the local simulator unless changed).",
)
EGOV_SMS_API_URL = env(
    "EGOV_SMS_API_URL",
    "http://127.0.0.1:8000/thong-bao/mo-phong/sms/api/send",
    "Address of the brandname-SMS gateway's send endpoint (JSON over HTTPS). The default "
    "is the simulator served by this platform when EGOV_SIMULATORS is on.",
)
EGOV_SMS_API_KEY = env(
    "EGOV_SMS_API_KEY",
    "",
    "API key sent to the SMS gateway (header X-Api-Key); the simulator accepts this key. "
    "Required outside the demo when SMS is among EGOV_NOTIFY_CHANNELS; generated in "
    "the demo.",
)
EGOV_SMS_BRANDNAME = env(
    "EGOV_SMS_BRANDNAME",
    "KIENGIANG",
    "Registered brandname (sender name) of SMS to applicants, at most 11 characters.",
)
EGOV_SMS_TIMEOUT_SECONDS = env(
    "EGOV_SMS_TIMEOUT_SECONDS",
    10,
    "Seconds to wait for the SMS gateway's answer before counting the attempt as failed.",
    "int",
)
EGOV_SMS_MAX_SEGMENTS = env(
    "EGOV_SMS_MAX_SEGMENTS",
    3,
    "Longest SMS, in segments (160 GSM-7 or 70 Unicode characters, 153/67 when "
    "concatenated); templates that could exceed it are refused.",
    "int",
)
EGOV_NOTIFY_TEMPLATE_CACHE_SECONDS = env(
    "EGOV_NOTIFY_TEMPLATE_CACHE_SECONDS",
    60,
    "How long each process keeps the active notification templates in memory; an edit "
    "reaches the other processes within this time (at once in the one that saved it).",
    "int",
)
EGOV_SMS_TRANSPORT = env(
    "EGOV_SMS_TRANSPORT",
    "http",
    "How calls reach the SMS gateway: 'http' (the network) or 'inprocess' (this process "
    "itself: tests and a single-process demo with the local simulator).",
)
