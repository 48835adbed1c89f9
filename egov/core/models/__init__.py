from .audit import AuditChainHead, AuditEntry
from .calendar import CalendarOverride
from .integrations import CallOutcome, IntegrationCall
from .numbering import Sequence
from .units import Unit, UnitCode, UnitLevel

__all__ = [
    "AuditChainHead",
    "AuditEntry",
    "CalendarOverride",
    "CallOutcome",
    "IntegrationCall",
    "Sequence",
    "Unit",
    "UnitCode",
    "UnitLevel",
]
