"""The only write path of the procedure catalogue and of process templates.

Every public function takes the acting user first, checks permission, validates,
runs in one ``transaction.atomic()`` and writes its audit entry inside it, last.
``actor=None`` stands for the platform itself (management commands, the demo
loader, a dossier service materialising the default process): no permission
check, written as "system" in the audit log.

Who may act
-----------
* The catalogue (drafts, papers, publishing, new versions, fields): platform
  operators, ``Perm.OPERATE_PLATFORM`` held anywhere (the role sits at the
  province root).
* Process templates: the agency's administrators, ``Perm.MANAGE_UNITS`` in the
  agency (held in the agency or above it; platform operators hold every
  permission at the root, so they may too).

Content of a version
--------------------
``name``, ``field`` (a :class:`ProcedureField` or its code), ``levels`` (values
of ``core.UnitLevel`` other than ``internal``), ``online_level`` (1-4),
``time_limit`` (> 0) and ``time_limit_unit`` (``working_days`` or
``working_hours``), ``fees`` (see :mod:`egov.procedures.fees`), ``result_type``,
``legal_basis``, ``source`` (where the content was checked: the public page's
``url``, the publishing decision, the copy read, the date); ``agencies`` (units
or identifier codes, each at one of the levels) and ``papers`` (dicts with
``name``, ``copies`` ≥ 1, ``form`` in ``PaperForm``, ``template_name``,
``is_optional``) replace the whole set when given.
"""

from __future__ import annotations

from egov.procedures.selectors import StepSpec
from egov.procedures.services.catalogue import (
    add_paper,
    create_draft,
    create_field,
    delete_draft,
    new_version_from,
    publish_version,
    replace_papers,
    update_draft,
    update_field,
)
from egov.procedures.services.content import (
    CONTENT_FIELDS,
    Actor,
    Problem,
    cleaned_snapshot,
    content_problems,
    paper_dict,
    version_snapshot,
)
from egov.procedures.services.process import (
    define_process_template,
    ensure_active_process,
)

__all__ = [
    "CONTENT_FIELDS",
    "Actor",
    "Problem",
    "StepSpec",
    "add_paper",
    "cleaned_snapshot",
    "content_problems",
    "create_draft",
    "create_field",
    "define_process_template",
    "delete_draft",
    "ensure_active_process",
    "new_version_from",
    "paper_dict",
    "publish_version",
    "replace_papers",
    "update_draft",
    "update_field",
    "version_snapshot",
]
