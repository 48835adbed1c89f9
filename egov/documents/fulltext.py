"""The full-text index behind ``selectors.search``, one per database.

``IncomingDocument.search_text`` holds the folded text (lower case, no diacritics,
đ → d, anything but letters and digits turned into spaces), so both databases
split it the same way, on spaces: PostgreSQL through ``to_tsvector('simple', …)``
kept in a stored generated column ``search_vector`` with a GIN index (migration
0003), SQLite through an FTS5 table kept in step by triggers
(migration 0002). Query terms are folded the same way; every term must match and
the last one may be the start of a word (as the clerk types).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from egov.procedures.text import search_key

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """``"125/UBND-VP Công văn"`` → ``"125 ubnd vp cong van"``."""
    return " ".join(_NOT_WORD.sub(" ", search_key(text)).split())


def words(terms: list[str]) -> list[str]:
    return fold(" ".join(terms)).split()


def matching(terms: list[str]) -> Q:
    """A filter keeping the documents whose text holds every term."""
    tokens = words(terms)
    vendor = connection.vendor
    if not tokens:
        return Q(pk__in=[])
    if vendor == "postgresql":
        # A condition on the row itself (not ``id IN (…)``): the planner can combine the
        # GIN index with the agency filter and the ordering.
        prefix = f"{tokens[-1]}:*"
        if len(tokens) == 1:
            return Q(
                RawSQL(
                    "documents_incomingdocument.search_vector"
                    " @@ to_tsquery('simple'::regconfig, %s)",
                    [prefix],
                    output_field=BooleanField(),
                )
            )
        # With whole words before it, the prefix of the last word is checked on the rows
        # the whole words found (``ts_match_vq`` is ``@@`` that the GIN index cannot
        # serve): a short prefix ("tu:*") matches hundreds of words whose posting lists
        # the index would union over the whole province first. bench_incoming, 1.5 M
        # documents: the slowest query went from ~300 ms to ~120 ms (same results).
        return Q(
            RawSQL(
                "(documents_incomingdocument.search_vector @@ to_tsquery('simple'::regconfig, %s)"
                " AND ts_match_vq(documents_incomingdocument.search_vector,"
                " to_tsquery('simple'::regconfig, %s)))",
                [" & ".join(tokens[:-1]), prefix],
                output_field=BooleanField(),
            )
        )
    if vendor == "sqlite":
        query = " ".join(f'"{token}"' for token in tokens[:-1]) + f' "{tokens[-1]}"*'
        return Q(
            pk__in=RawSQL(
                "SELECT rowid FROM documents_search WHERE documents_search MATCH %s",
                [query.strip()],
            )
        )
    # Any other database: a plain scan (correct, not fast).
    from egov.documents.models import IncomingDocument

    scan = IncomingDocument.objects.all()
    for token in tokens:
        scan = scan.filter(search_text__contains=token)
    return Q(pk__in=scan.values("pk"))
