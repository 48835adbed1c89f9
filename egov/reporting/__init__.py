"""Periodic reporting (Nghị định 09/2019/NĐ-CP): regimes as data, reports whose
platform-known figures are computed from the owning apps' selectors, approval and
signature by the unit's leader, corrections as new versions, aggregation up the
tree with completeness and timeliness, sending to the Government reporting system
(adapter + simulator), PDF (Nghị định 30 layout) and Excel exports.

Modules: ``models`` (Regime, Indicator, Report, ReportEvent, the simulator's rows),
``periods`` (cut-off periods, deadlines in working days), ``sources`` (automatic
indicators), ``validation`` (rules as data), ``services`` (every change),
``selectors`` (reads; ``reports_due_for`` and ``missing_reports`` for the
dashboards), ``access``, ``government`` (adapter), ``simulator``, ``exports``,
``views``/``api`` (thin), ``seed`` + ``data/regimes.json`` (the starting regimes),
``demo``.
"""
