from .audit import AuditChainHead, AuditEntry
from .calendar import CalendarOverride
from .numbering import Sequence
from .units import Unit, UnitCode, UnitLevel

__all__ = [
    "AuditChainHead",
    "AuditEntry",
    "CalendarOverride",
    "Sequence",
    "Unit",
    "UnitCode",
    "UnitLevel",
]
