"""Settings shared by every adapter of an outside system (``egov.core.integrations``).

Each system keeps its own address, credentials, timeout and transport setting
(in its app's settings module); a transport setting takes ``http`` (the network)
or ``inprocess`` (this Django process itself, for the local simulators in tests
and single-process demos).
"""

from egov.conf import env

EGOV_INTEGRATIONS_RETRIES = env(
    "EGOV_INTEGRATIONS_RETRIES",
    2,
    "Extra attempts of a call to an outside system that is safe to repeat (a read, or a "
    "call the other side deduplicates) after a timeout, a lost connection or HTTP "
    "502/503/504. Calls queued in the background (SMS, parcels) are retried by their "
    "queue instead and make one attempt per run.",
    "int",
)
EGOV_INTEGRATIONS_BACKOFF_MS = env(
    "EGOV_INTEGRATIONS_BACKOFF_MS",
    500,
    "Wait before the first retry of a call to an outside system, in milliseconds; it "
    "doubles at each further retry (at most 8 s).",
    "int",
)
