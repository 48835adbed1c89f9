"""The rules of the complaint channel as data: deadlines and the moves between states.

Deadlines are in working days of the core work calendar (holidays and yearly swaps
come from ``CalendarOverride``), counted from the moment that starts them:

=================  ===========================  =====
step               counted from                 days
=================  ===========================  =====
refusal            receipt                      2
request for more   receipt (the first request)  5
answer (approval)  receipt; the time waiting    15
                   for the sender is added
publication        approval of the answer       2
=================  ===========================  =====

Each move names the states it may start from and the state it leads to; the
services look the move up here, so a new move is a row, not another ``if``.
"""

from __future__ import annotations

from dataclasses import dataclass

from egov.feedback.complaint_models import ComplaintStatus as S

#: Working days allowed for each step (index 766, group 5.2).
DEADLINE_DAYS: dict[str, int] = {
    "refuse": 2,
    "more_info": 5,
    "answer": 15,
    "publish": 2,
}

#: Likes and dislikes per client address and window (seconds).
VOTE_LIMIT = 30
VOTE_WINDOW_SECONDS = 600

#: Sending a complaint: attempts per client address and window (seconds).
SEND_LIMIT = 10
SEND_LIMIT_SIGNED_IN = 30
SEND_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    #: The notice the sender gets (``""``: none).
    notice: str = ""


MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("classify", frozenset({S.RECEIVED, S.MORE_INFO, S.ANSWERED}), ""),
        Move("refuse", frozenset({S.RECEIVED, S.MORE_INFO}), S.REFUSED, "refused"),
        Move("ask_more", frozenset({S.RECEIVED}), S.MORE_INFO, "more_info"),
        Move("reply", frozenset({S.MORE_INFO}), S.RECEIVED),
        Move("answer", frozenset({S.RECEIVED, S.MORE_INFO, S.ANSWERED}), S.ANSWERED),
        Move("publish", frozenset({S.ANSWERED}), S.PUBLISHED, "published"),
    )
}

#: States in which the agency's clock runs (the worklist shows them).
AGENCY_TURN: frozenset[str] = frozenset({S.RECEIVED, S.ANSWERED})
