"""Settings of ``egov.documents`` (incoming documents)."""

from egov.conf import env

EGOV_DOCUMENTS_TESSERACT = env(
    "EGOV_DOCUMENTS_TESSERACT",
    "tesseract",
    "The Tesseract OCR program (name on PATH or full path) that reads scanned papers. "
    "Debian packages: tesseract-ocr and tesseract-ocr-vie.",
)
EGOV_DOCUMENTS_OCR_LANGUAGES = env(
    "EGOV_DOCUMENTS_OCR_LANGUAGES",
    "vie+eng",
    "Tesseract languages used to read scans (installed traineddata, joined with +).",
)
EGOV_DOCUMENTS_OCR_TIMEOUT = env(
    "EGOV_DOCUMENTS_OCR_TIMEOUT",
    60,
    "Seconds Tesseract may spend on one page before the recognition is given up.",
    "int",
)
EGOV_DOCUMENTS_OCR_MAX_PAGES = env(
    "EGOV_DOCUMENTS_OCR_MAX_PAGES",
    20,
    "Pages of one scan that are read by OCR (the rest is kept, not read).",
    "int",
)
EGOV_DOCUMENTS_OCR_INLINE_PAGES = env(
    "EGOV_DOCUMENTS_OCR_INLINE_PAGES",
    1,
    "Scans with at most this many pages are read while the clerk waits; longer ones "
    "are queued for the background runner (manage.py run_background). 0 queues all.",
    "int",
)
EGOV_DOCUMENTS_DUE_SOON_DAYS = env(
    "EGOV_DOCUMENTS_DUE_SOON_DAYS",
    2,
    "Working days before its deadline from which an incoming document counts as due soon "
    "(listed and notified).",
    "int",
)
EGOV_DOCUMENTS_DEFAULT_DEADLINE_DAYS = env(
    "EGOV_DOCUMENTS_DEFAULT_DEADLINE_DAYS",
    10,
    "Working days proposed as the handling deadline on a new processing sheet.",
    "int",
)
