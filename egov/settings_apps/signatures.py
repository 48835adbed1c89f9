"""Settings of ``egov.signatures`` (PAdES signing and verification, issue 11)."""

from egov.conf import env

EGOV_SIGNATURES_DEMO_PKI = env(
    "EGOV_SIGNATURES_DEMO_PKI",
    False,
    "Use the test PKI made by `manage.py make_test_pki` (its root as a trust anchor, its "
    "timestamp authority, OCSP responder and remote-signing service served by this "
    "platform's simulators). Only for the demo and tests: outside the demo the platform "
    "refuses to start while it is on, or while a demo root is an enabled trust anchor.",
    "bool",
    shown_default="true in the demo, else false",
)
EGOV_SIGNATURES_PKI_DIR = env(
    "EGOV_SIGNATURES_PKI_DIR",
    "",
    "Directory of the test PKI (certificates, the CRL, the demo TSA's and CA's keys and "
    "the SoftHSM2 token store).",
    shown_default="<EGOV_VAR_DIR>/pki",
)
EGOV_SIGNATURES_PKCS11_MODULE = env(
    "EGOV_SIGNATURES_PKCS11_MODULE",
    "/usr/lib/softhsm/libsofthsm2.so",
    "PKCS#11 library of the tokens holding signing keys (SoftHSM2 from Debian's softhsm2 "
    "package in the demo; the token vendor's library in production).",
)
EGOV_SIGNATURES_SOFTHSM_CONF = env(
    "EGOV_SIGNATURES_SOFTHSM_CONF",
    "",
    "SoftHSM2 configuration file (SOFTHSM2_CONF) of the platform's tokens; empty: the one "
    "`make_test_pki` writes under the PKI directory.",
    shown_default="<EGOV_SIGNATURES_PKI_DIR>/softhsm2.conf",
)
EGOV_SIGNATURES_AGENCY_TOKEN_LABEL = env(
    "EGOV_SIGNATURES_AGENCY_TOKEN_LABEL",
    "egov-agency",
    "Label of the PKCS#11 token holding the agencies' keys, with which the server signs "
    "for an organisation (one-stop results, receipts, attachments).",
)
EGOV_SIGNATURES_AGENCY_PIN_SECRET = env(
    "EGOV_SIGNATURES_AGENCY_PIN_SECRET",
    "",
    "User PIN of the agency token (EGOV_SIGNATURES_AGENCY_TOKEN_LABEL). Never stored in "
    "the database nor logged. Required outside the demo; generated in the demo.",
)
EGOV_SIGNATURES_TRANSPORT = env(
    "EGOV_SIGNATURES_TRANSPORT",
    "http",
    "How the timestamp authority, OCSP/CRL sources and the remote-signing service are "
    "reached: http (the network) or inprocess (this process's simulators, for tests).",
)
EGOV_SIGNATURES_SIMULATOR_BASE_URL = env(
    "EGOV_SIGNATURES_SIMULATOR_BASE_URL",
    "http://127.0.0.1:8000",
    "Address at which the demo's simulators (TSA, OCSP, CRL, remote signing) are reached; "
    "written into the test PKI's certificates by make_test_pki.",
)
EGOV_SIGNATURES_TSA_URL = env(
    "EGOV_SIGNATURES_TSA_URL",
    "",
    "RFC 3161 timestamp authority used for PAdES B-T and above.",
    shown_default="the simulator: <EGOV_SIGNATURES_SIMULATOR_BASE_URL>/chu-ky-so/mo-phong/tsa",
)
EGOV_SIGNATURES_REMOTE_URL = env(
    "EGOV_SIGNATURES_REMOTE_URL",
    "",
    "Base address of the remote-signing service (ký số từ xa) API.",
    shown_default=(
        "the simulator: <EGOV_SIGNATURES_SIMULATOR_BASE_URL>/chu-ky-so/mo-phong/ky-tu-xa/api"
    ),
)
EGOV_SIGNATURES_REMOTE_CALLBACK_URL = env(
    "EGOV_SIGNATURES_REMOTE_CALLBACK_URL",
    "",
    "Address of this platform's endpoint to which the remote-signing service posts the "
    "signer's answer (confirmed or refused), so a waiting signing completes at once.",
    shown_default="<EGOV_SIGNATURES_SIMULATOR_BASE_URL>/chu-ky-so/ky-tu-xa/ket-qua",
)
EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET = env(
    "EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET",
    "",
    "HMAC-SHA256 secret shared with the remote-signing service; it signs each callback "
    "body (header X-Signature). Empty: no callback is asked for, the status is polled. "
    "Generated in the demo.",
)
EGOV_SIGNATURES_TIMEOUT_SECONDS = env(
    "EGOV_SIGNATURES_TIMEOUT_SECONDS",
    10,
    "Timeout of one call to the TSA, an OCSP/CRL source or the remote-signing service.",
    "int",
)
EGOV_SIGNATURES_REMOTE_WAIT_SECONDS = env(
    "EGOV_SIGNATURES_REMOTE_WAIT_SECONDS",
    120,
    "How long a remote signing waits for the signer to confirm on the phone before it "
    "is given up (nothing is signed).",
    "int",
)
EGOV_SIGNATURES_REMOTE_POLL_SECONDS = env(
    "EGOV_SIGNATURES_REMOTE_POLL_SECONDS",
    2,
    "Wait between two status queries of a pending remote signing.",
    "int",
)
EGOV_SIGNATURES_MAX_PAGES = env(
    "EGOV_SIGNATURES_MAX_PAGES",
    100,
    "Most pages of a PDF that is signed or verified (the upload checks' page walk).",
    "int",
)
EGOV_SIGNATURES_VERIFY_PER_HOUR = env(
    "EGOV_SIGNATURES_VERIFY_PER_HOUR",
    60,
    "Signed PDFs one client address may check an hour on the public verification page "
    "and API (each check builds chains and fetches revocation data).",
    "int",
)
