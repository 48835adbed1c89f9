"""Settings of ``egov.identity`` (sign-in through the national identity provider)."""

from egov.conf import env

EGOV_IDENTITY_ENABLED = env(
    "EGOV_IDENTITY_ENABLED",
    True,
    "Offer sign-in through the national identity provider (VNeID / national public "
    "service portal SSO, OpenID Connect).",
    "bool",
)
EGOV_IDENTITY_PROVIDER = env(
    "EGOV_IDENTITY_PROVIDER",
    "vneid",
    "Short name of the identity provider, stored with each linked account.",
)
EGOV_IDENTITY_ISSUER = env(
    "EGOV_IDENTITY_ISSUER",
    "",
    "OpenID Connect issuer URL of the national identity provider. Empty means the "
    "local simulator on this server (EGOV_PUBLIC_BASE_URL + /tai-khoan/dinh-danh/mo-phong).",
)
EGOV_IDENTITY_CLIENT_ID = env(
    "EGOV_IDENTITY_CLIENT_ID",
    "egov-kien-giang",
    "Client id this platform has at the identity provider.",
)
EGOV_IDENTITY_CLIENT_SECRET = env(
    "EGOV_IDENTITY_CLIENT_SECRET",
    "",
    "Client secret this platform has at the identity provider. Required outside the "
    "demo while EGOV_IDENTITY_ENABLED; generated in the demo (the simulator accepts it).",
)
EGOV_IDENTITY_SCOPES = env(
    "EGOV_IDENTITY_SCOPES",
    ["openid", "profile", "email", "phone", "address"],
    "Comma-separated OpenID Connect scopes asked for at sign-in.",
    "list",
)
EGOV_IDENTITY_HTTP_TRANSPORT = env(
    "EGOV_IDENTITY_HTTP_TRANSPORT",
    "http",
    "How back-channel calls (discovery, JWKS, token) reach the provider: 'http' "
    "(normal), or 'inprocess' (only for the local simulator on a single-process "
    "server, which cannot call itself over HTTP).",
)
EGOV_IDENTITY_HTTP_TIMEOUT = env(
    "EGOV_IDENTITY_HTTP_TIMEOUT",
    10,
    "Seconds to wait for the identity provider on back-channel calls.",
    "int",
)
EGOV_IDENTITY_CLOCK_SKEW = env(
    "EGOV_IDENTITY_CLOCK_SKEW",
    60,
    "Seconds of clock difference tolerated when checking ID token times.",
    "int",
)
EGOV_IDENTITY_SIM_CLIENT_ID = env(
    "EGOV_IDENTITY_SIM_CLIENT_ID",
    "egov-kien-giang",
    "Client id the local identity provider simulator accepts.",
)
EGOV_IDENTITY_SIM_CLIENT_SECRET = env(
    "EGOV_IDENTITY_SIM_CLIENT_SECRET",
    "",
    "Client secret the local identity provider simulator accepts; empty: "
    "EGOV_IDENTITY_CLIENT_SECRET.",
)
