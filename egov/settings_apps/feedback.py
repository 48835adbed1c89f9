"""Settings of ``egov.feedback``."""

from egov.conf import env

EGOV_FEEDBACK_CHANGE_DAYS = env(
    "EGOV_FEEDBACK_CHANGE_DAYS",
    7,
    "Days after a satisfaction rating is first given during which it may still be changed "
    "(by the applicant online, or by the one-stop clerk for a rating given at the desk).",
    "int",
)
EGOV_FEEDBACK_ANSWER_DAYS = env(
    "EGOV_FEEDBACK_ANSWER_DAYS",
    5,
    "Working days an agency has to answer a question asked on the portal.",
    "int",
)
EGOV_FEEDBACK_QUESTION_WINDOW_SECONDS = env(
    "EGOV_FEEDBACK_QUESTION_WINDOW_SECONDS",
    3600,
    "Length of the window in which questions are counted per client IP (anti-spam).",
    "int",
)
EGOV_FEEDBACK_QUESTION_LIMIT = env(
    "EGOV_FEEDBACK_QUESTION_LIMIT",
    5,
    "Questions one client IP may send per window without signing in.",
    "int",
)
EGOV_FEEDBACK_QUESTION_LIMIT_SIGNED_IN = env(
    "EGOV_FEEDBACK_QUESTION_LIMIT_SIGNED_IN",
    20,
    "Questions one client IP may send per window when signed in.",
    "int",
)
