"""In-process search over the procedures in force, for the public catalogue.

People look for a procedure the way they say it: without diacritics ("dang ky
ket hon"), with the other spelling of i/y ("dang ki khai sinh"), with typos
("khai sihn"), or by its national code ("1.001193"). The database cannot rank
that the same way on SQLite and PostgreSQL without extensions, so the catalogue
of published versions (a few thousand rows at most: a province has about 2,000
procedures) is held in memory as an index and searched in Python:

* **folding** (:func:`fold`): the search key of :mod:`egov.procedures.text`
  (no diacritics, đ → d, case folded) with ``y`` read as ``i`` (``ký``/``kí``,
  ``lý``/``lí`` are both written), split into words of letters and digits;
* **matching a query word** against the vocabulary of every name's words:
  the same word (weight 1), a word it begins (0.85: "kha" → "khai"), or a word
  one edit away, two for words of 8 letters or more (0.7 / 0.55; optimal
  string alignment distance from rapidfuzz, so "sihn" → "sinh" is one edit);
* **ranking** (best first): national code equal to the query; then the query
  as an exact phrase in the name; then every word present as is; then every
  word matched approximately; within a rank, the better average word weight,
  names that start with the query, shorter names, the national code. When no
  procedure matches every word, those matching at least half of them are shown
  instead, flagged :attr:`SearchResult.approximate`.

Freshness: :func:`get_index` compares a signature of the published versions
(count, highest id, latest publication time: one aggregate query) with the
index's and rebuilds when they differ, so a publication made by another process
shows at the next request; saves in this process drop the index at once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from egov.procedures.models import ProcedureVersion, VersionStatus
from egov.procedures.text import search_key

__all__ = [
    "LEVEL_GROUPS",
    "Entry",
    "Hit",
    "SearchIndex",
    "SearchResult",
    "build_index",
    "fold",
    "get_index",
    "invalidate",
    "search",
    "words",
]

#: Levels people choose from (province, district, commune) and the agency levels
#: (values of ``core.UnitLevel``) each covers.
LEVEL_GROUPS: dict[str, frozenset[str]] = {
    "province": frozenset({"province", "provincial_agency"}),
    "district": frozenset({"district", "district_agency"}),
    "commune": frozenset({"commune"}),
}
MAX_TERMS = 12

# Ranks, best first.
RANK_CODE = 5
RANK_CODE_PREFIX = 4
RANK_PHRASE = 3
RANK_ALL_WORDS = 2
RANK_FUZZY = 1
RANK_PARTIAL = 0

W_EXACT = 1.0
W_PREFIX = 0.85
W_ONE_EDIT = 0.7
W_TWO_EDITS = 0.55

_WORD = re.compile(r"[0-9a-z]+")
# National codes: 1.001193, 2.002516 (digits, a dot, digits); typed in part too.
_CODE = re.compile(r"^\d+\.\d*$|^\d{4,}$")


def fold(text: str | None) -> str:
    """``"Đăng Ký  kết hôn"`` → ``"dang ki ket hon"``: the search key with ``y``
    read as ``i`` and punctuation turned into spaces."""
    return " ".join(words(text))


def words(text: str | None) -> list[str]:
    """The folded words of ``text``."""
    return _WORD.findall(search_key(text).replace("y", "i"))


def _code_terms(query: str) -> tuple[list[str], list[str]]:
    """Split a raw query into national-code terms and the rest (raw text)."""
    codes: list[str] = []
    rest: list[str] = []
    for part in query.split():
        cleaned = part.strip(",;()[]")
        if _CODE.match(cleaned):
            codes.append(cleaned.rstrip("."))
        else:
            rest.append(part)
    return codes, rest


@dataclass(frozen=True)
class Entry:
    """One procedure in force, as the index knows it."""

    version_id: int
    national_code: str
    name: str
    tokens: tuple[str, ...]
    padded: str  # " word word … " for phrase tests at word boundaries
    field_id: int
    levels: frozenset[str]
    online_level: int
    agency_ids: frozenset[int]
    sort_key: str


@dataclass(slots=True)
class Hit:
    entry: Entry
    rank: int
    score: float


@dataclass
class SearchResult:
    """Hits best first (a list to read, not to change: it may be shared);
    ``query`` is the text actually searched (cut to the longest query read when
    ``truncated``); ``approximate`` when no procedure matched every word and
    partial matches are shown."""

    hits: list[Hit]
    query: str
    truncated: bool = False
    approximate: bool = False

    def __len__(self) -> int:
        return len(self.hits)


@dataclass
class SearchIndex:
    entries: list[Entry]
    signature: tuple[Any, ...] = ()
    postings: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    by_code: dict[str, int] = field(default_factory=dict)
    by_name: list[int] = field(default_factory=list)
    _everything: list[Hit] | None = field(default=None, repr=False)
    _field_counts: dict[int, int] | None = field(default=None, repr=False)
    _agency_counts: dict[int, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.by_name = sorted(
            range(len(self.entries)),
            key=lambda p: (self.entries[p].sort_key, self.entries[p].national_code),
        )
        postings: dict[str, set[int]] = {}
        for position, entry in enumerate(self.entries):
            self.by_code[entry.national_code] = position
            for token in entry.tokens:
                postings.setdefault(token, set()).add(position)
        self.postings = {token: sorted(found) for token, found in postings.items()}
        self.vocabulary = sorted(self.postings)

    # --- counts (computed once per index) ---------------------------------------------

    def field_counts(self) -> dict[int, int]:
        """Field id → procedures in force."""
        if self._field_counts is None:
            counts: dict[int, int] = {}
            for entry in self.entries:
                counts[entry.field_id] = counts.get(entry.field_id, 0) + 1
            self._field_counts = counts
        return self._field_counts

    def agency_counts(self) -> dict[int, int]:
        """Unit id → procedures in force it carries out."""
        if self._agency_counts is None:
            counts: dict[int, int] = {}
            for entry in self.entries:
                for unit_id in entry.agency_ids:
                    counts[unit_id] = counts.get(unit_id, 0) + 1
            self._agency_counts = counts
        return self._agency_counts

    # --- filters ---------------------------------------------------------------------

    def _allowed(
        self,
        field_id: int | None,
        levels: frozenset[str] | None,
        agency_id: int | None,
        online_level: int | None,
    ) -> list[bool] | None:
        if field_id is None and not levels and agency_id is None and not online_level:
            return None
        return [
            (field_id is None or entry.field_id == field_id)
            and (not levels or bool(entry.levels & levels))
            and (agency_id is None or agency_id in entry.agency_ids)
            and (not online_level or entry.online_level >= online_level)
            for entry in self.entries
        ]

    # --- word matching ---------------------------------------------------------------

    def term_matches(self, term: str, *, last: bool) -> dict[str, float]:
        """Words of the vocabulary ``term`` may stand for, with their weight."""
        found: dict[str, float] = {}
        if term in self.postings:
            found[term] = W_EXACT
        if len(term) >= 3 or (last and len(term) >= 2):
            for token in self.vocabulary:
                if token != term and token.startswith(term):
                    found.setdefault(token, W_PREFIX)
        if len(term) >= 4 and not term.isdigit():
            # rapidfuzz loads with the first fuzzy search, not in every worker.
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            limit = 2 if len(term) >= 8 else 1
            for token, distance, _ in process.extract(
                term, self.vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                if distance and token not in found:
                    found[token] = W_ONE_EDIT if distance == 1 else W_TWO_EDITS
        return found

    def _code_rank(self, entry: Entry, codes: Sequence[str]) -> int:
        rank = RANK_CODE
        for code in codes:
            if entry.national_code == code:
                continue
            plain = entry.national_code.replace(".", "")
            if entry.national_code.startswith(code) or ("." not in code and code in plain):
                rank = RANK_CODE_PREFIX
            else:
                return -1
        return rank

    # --- search ----------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        field_id: int | None = None,
        levels: Iterable[str] | None = None,
        agency_id: int | None = None,
        online_level: int | None = None,
        max_chars: int | None = None,
    ) -> SearchResult:
        """Procedures matching ``query`` within the filters, best first; with an
        empty query, every procedure within the filters by name."""
        limit = max_chars if max_chars is not None else settings.EGOV_PORTAL_SEARCH_MAX_CHARS
        raw = " ".join((query or "").split())
        truncated = len(raw) > limit
        if truncated:
            raw = raw[:limit].rsplit(" ", 1)[0] if " " in raw[:limit] else raw[:limit]
        allowed = self._allowed(
            field_id, frozenset(levels) if levels else None, agency_id, online_level
        )
        codes, rest = _code_terms(raw)
        terms = list(dict.fromkeys(words(" ".join(rest))))[:MAX_TERMS]
        if not codes and not terms:
            if allowed is None:  # the whole catalogue by name: built once, shared
                if self._everything is None:
                    self._everything = [
                        Hit(self.entries[position], RANK_PARTIAL, 0.0) for position in self.by_name
                    ]
                return SearchResult(hits=self._everything, query=raw, truncated=truncated)
            entries = self.entries
            hits = [
                Hit(entries[position], RANK_PARTIAL, 0.0)
                for position in self.by_name
                if allowed is None or allowed[position]
            ]
            return SearchResult(hits=hits, query=raw, truncated=truncated)

        weights = self._word_weights(terms)
        if codes:
            candidates = [
                position
                for position, entry in enumerate(self.entries)
                if (allowed is None or allowed[position]) and self._code_rank(entry, codes) > 0
            ]
            if weights:
                candidates = [p for p in candidates if all(p in w for w in weights)]
        else:
            # Entries with every word (some match of each) first; the rest only
            # if none has them all.
            common = set(weights[0]).intersection(*weights[1:])
            candidates = [p for p in common if allowed is None or allowed[p]]

        phrase = " " + " ".join(terms) + " "
        hits = [self._hit(position, weights, codes, phrase) for position in candidates]
        approximate = False
        if not hits and len(terms) >= 2 and not codes:
            counts: dict[int, int] = {}
            for per_term in weights:
                for position in per_term:
                    counts[position] = counts.get(position, 0) + 1
            hits = [
                Hit(self.entries[p], RANK_PARTIAL, self._score(p, weights, phrase))
                for p, matched in counts.items()
                if matched * 2 >= len(terms) and (allowed is None or allowed[p])
            ]
            approximate = bool(hits)
        hits.sort(
            key=lambda hit: (
                -hit.rank,
                -round(hit.score, 6),
                len(hit.entry.name),
                hit.entry.national_code,
            )
        )
        return SearchResult(hits=hits, query=raw, truncated=truncated, approximate=approximate)

    def _score(self, position: int, weights: Sequence[dict[int, float]], phrase: str) -> float:
        found = [per_term.get(position, 0.0) for per_term in weights]
        score = (sum(found) / len(found)) if found else 1.0
        if found and self.entries[position].padded.startswith(phrase):
            score += 0.1
        return score

    def _hit(
        self,
        position: int,
        weights: Sequence[dict[int, float]],
        codes: Sequence[str],
        phrase: str,
    ) -> Hit:
        """A candidate that matches every word (and every code)."""
        entry = self.entries[position]
        score = self._score(position, weights, phrase)
        if codes:
            rank = self._code_rank(entry, codes)
        elif phrase in entry.padded:
            rank = RANK_PHRASE
        elif all(per_term[position] == W_EXACT for per_term in weights):
            rank = RANK_ALL_WORDS
        else:
            rank = RANK_FUZZY
        return Hit(entry, rank, score)

    def _word_weights(self, terms: Sequence[str]) -> list[dict[int, float]]:
        """For each term: entry position → the best weight of its words."""
        result: list[dict[int, float]] = []
        for index, term in enumerate(terms):
            per_entry: dict[int, float] = {}
            for token, weight in self.term_matches(term, last=index == len(terms) - 1).items():
                for position in self.postings.get(token, ()):
                    if per_entry.get(position, 0.0) < weight:
                        per_entry[position] = weight
            result.append(per_entry)
        return result


# --- building and keeping the index fresh ---------------------------------------------


def catalogue_signature() -> tuple[Any, ...]:
    """What changes whenever the set or content of published versions changes
    (a version is published, replacing the previous one): one aggregate query."""
    row = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).aggregate(
        n=Count("id"), top=Max("id"), at=Max("published_at")
    )
    return (row["n"], row["top"], row["at"])


def build_index(signature: tuple[Any, ...] | None = None) -> SearchIndex:
    """The index of every published version: two queries."""
    if signature is None:
        signature = catalogue_signature()
    through = ProcedureVersion.agencies.through
    agencies: dict[int, set[int]] = {}
    for version_id, unit_id in through.objects.filter(
        procedureversion__status=VersionStatus.PUBLISHED
    ).values_list("procedureversion_id", "unit_id"):
        agencies.setdefault(version_id, set()).add(unit_id)
    entries = []
    for version_id, code, name, field_id, levels, online_level in (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("procedure__national_code")
        .values_list("id", "procedure__national_code", "name", "field_id", "levels", "online_level")
    ):
        tokens = tuple(words(name))
        entries.append(
            Entry(
                version_id=version_id,
                national_code=code,
                name=name,
                tokens=tokens,
                padded=" " + " ".join(tokens) + " ",
                field_id=field_id,
                levels=frozenset(levels or ()),
                online_level=online_level,
                agency_ids=frozenset(agencies.get(version_id, ())),
                sort_key=search_key(name),
            )
        )
    return SearchIndex(entries=entries, signature=signature)


_lock = threading.Lock()
_index: SearchIndex | None = None


def invalidate(**_: Any) -> None:
    """Drop the index of this process (connected to saves of versions)."""
    global _index
    _index = None


def get_index() -> SearchIndex:
    """The index, rebuilt if the published catalogue changed since it was built."""
    global _index
    signature = catalogue_signature()
    current = _index
    if current is not None and current.signature == signature:
        return current
    with _lock:
        current = _index
        if current is None or current.signature != signature:
            current = build_index(signature)
            _index = current
    return current


def search(query: str, **filters: Any) -> SearchResult:
    """Search the current index (see :meth:`SearchIndex.search`)."""
    return get_index().search(query, **filters)
