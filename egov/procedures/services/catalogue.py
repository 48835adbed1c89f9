"""Fields, drafts, papers, publishing and new versions of the catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.procedures.models import (
    Procedure,
    ProcedureField,
    ProcedureVersion,
    RequiredPaper,
    VersionStatus,
)
from egov.procedures.services.content import (
    CONTENT_FIELDS,
    Actor,
    Problem,
    _apply,
    _lock_procedure,
    _next_number,
    _raise,
    _refuse_second_draft,
    _require_operator,
    _set_papers,
    _text,
    _user,
    content_problems,
    paper_dict,
    version_snapshot,
)

# --- fields -------------------------------------------------------------------------


def create_field(actor: Actor, code: str, name: str, name_en: str = "") -> ProcedureField:
    """A new field (lĩnh vực) of procedures (``name_en``: its English name, optional)."""
    _require_operator(actor)
    problems: list[Problem] = []
    code = _text(code, "code", problems, limit=60, required=True).lower()
    name = _text(name, "name", problems, limit=255, required=True)
    name_en = _text(name_en, "name_en", problems, limit=255, required=False)
    field = ProcedureField(code=code, name=name, name_en=name_en)
    try:
        field.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            problems += [Problem(key, message) for message in messages]
    _raise(problems)
    with transaction.atomic():
        field.save()
        audit.record(
            actor=_user(actor),
            action="procedures.field_create",
            obj=field,
            changes=audit.diff({}, {"code": code, "name": name, "name_en": name_en}),
        )
    return field


def update_field(
    actor: Actor, field: ProcedureField, *, name: str, name_en: str | None = None
) -> ProcedureField:
    """Rename a field; ``name_en`` ``None`` keeps its English name as it is."""
    _require_operator(actor)
    problems: list[Problem] = []
    wanted = {"name": _text(name, "name", problems, limit=255, required=True)}
    if name_en is not None:
        wanted["name_en"] = _text(name_en, "name_en", problems, limit=255, required=False)
    _raise(problems)
    with transaction.atomic():
        field = ProcedureField.objects.select_for_update().get(pk=field.pk)
        changes = {
            key: [getattr(field, key), value]
            for key, value in wanted.items()
            if getattr(field, key) != value
        }
        if not changes:
            return field
        for key, (_before, value) in changes.items():
            setattr(field, key, value)
        field.save(update_fields=list(changes))
        audit.record(
            actor=_user(actor),
            action="procedures.field_update",
            obj=field,
            changes=changes,
        )
    return field


# --- drafts, papers, publishing -----------------------------------------------------


def create_draft(actor: Actor, national_code: str, **content: Any) -> ProcedureVersion:
    """A new draft version of the procedure ``national_code`` (created if new).

    ``content`` holds every content key (see the module docstring); ``agencies``
    and ``papers`` are optional. Refused when the procedure already has a draft.
    """
    _require_operator(actor)
    code = str(national_code or "").strip()
    problems: list[Problem] = []
    if not code or len(code) > 30 or any(ch.isspace() for ch in code):
        problems.append(
            Problem(
                "national_code",
                _("Give the national code (e.g. 1.001193): up to 30 characters, no spaces."),
            )
        )
    cleaned, found = content_problems(content)
    _raise(problems + found)
    with transaction.atomic():
        procedure, created = Procedure.objects.get_or_create(national_code=code)
        procedure = _lock_procedure(procedure)
        _refuse_second_draft(procedure)
        version = ProcedureVersion(
            procedure=procedure,
            number=_next_number(procedure),
            status=VersionStatus.DRAFT,
            created_by=_user(actor),
        )
        _apply(version, cleaned)
        after = version_snapshot(version)
        if created:
            audit.record(
                actor=_user(actor),
                action="procedures.procedure_create",
                obj=procedure,
                changes={"national_code": [None, code]},
            )
        audit.record(
            actor=_user(actor),
            action="procedures.draft_create",
            obj=version,
            changes=audit.diff({}, after),
        )
    return version


def _locked_draft(version: ProcedureVersion) -> ProcedureVersion:
    fresh = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if fresh.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s: only a draft can be changed.")
            % {"number": fresh.number, "status": fresh.get_status_display()},
            code="not_draft",
        )
    return fresh


def update_draft(actor: Actor, version: ProcedureVersion, **content: Any) -> ProcedureVersion:
    """Change some content keys of a draft; keys not given stay as they are."""
    _require_operator(actor)
    cleaned, problems = content_problems(content, partial=True, current_levels=list(version.levels))
    _raise(problems)
    with transaction.atomic():
        fresh = _locked_draft(version)
        before = version_snapshot(fresh)
        _apply(fresh, cleaned)
        after = version_snapshot(fresh)
        changes = audit.diff(before, after)
        if changes:
            audit.record(
                actor=_user(actor), action="procedures.draft_update", obj=fresh, changes=changes
            )
    return fresh


def add_paper(actor: Actor, version: ProcedureVersion, **paper: Any) -> RequiredPaper:
    """Append one required paper to a draft (keys as in ``papers``)."""
    _require_operator(actor)
    cleaned, problems = content_problems({"papers": [paper]}, partial=True)
    _raise(problems)
    values = cleaned["papers"][0]
    with transaction.atomic():
        fresh = _locked_draft(version)
        top = fresh.papers.aggregate(top=Max("position"))["top"] or 0
        created = RequiredPaper.objects.create(version=fresh, position=top + 1, **values)
        audit.record(
            actor=_user(actor),
            action="procedures.paper_add",
            obj=fresh,
            changes={"paper": [None, values]},
        )
    return created


def replace_papers(
    actor: Actor, version: ProcedureVersion, papers: Sequence[Mapping[str, Any]]
) -> ProcedureVersion:
    """Replace the whole list of required papers of a draft."""
    return update_draft(actor, version, papers=list(papers))


def delete_draft(actor: Actor, version: ProcedureVersion) -> None:
    """Throw a draft away (dossiers only ever point to published versions)."""
    _require_operator(actor)
    with transaction.atomic():
        fresh = _locked_draft(version)
        before = version_snapshot(fresh)
        label = str(fresh)
        pk = fresh.pk
        fresh.agencies.clear()
        fresh.delete()
        audit.record(
            actor=_user(actor),
            action="procedures.draft_delete",
            object_type="procedures.procedureversion",
            object_id=pk,
            object_repr=label,
            changes=audit.diff(before, {}),
        )


def publication_problems(version: ProcedureVersion) -> list[Problem]:
    """What keeps a draft from being published (content rechecked as a whole)."""
    values = {key: getattr(version, key) for key in CONTENT_FIELDS}
    values["agencies"] = list(version.agencies.all())
    _cleaned, problems = content_problems(values)
    if not values["agencies"]:
        problems.append(
            Problem("agencies", _("Name at least one agency that carries the procedure out."))
        )
    return problems


def publish_version(actor: Actor, version: ProcedureVersion) -> ProcedureVersion:
    """Put a draft in force. The version in force until now becomes "replaced"
    (with ``replaced_at``); dossiers received under it keep pointing to it."""
    _require_operator(actor)
    with transaction.atomic():
        _lock_procedure(version.procedure)
        fresh = _locked_draft(version)
        _raise(publication_problems(fresh))
        now = timezone.now()
        previous = (
            ProcedureVersion.objects.select_for_update()
            .filter(procedure_id=fresh.procedure_id, status=VersionStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            # Replaced first: the database allows one published version per procedure.
            previous.status = VersionStatus.REPLACED
            previous.replaced_at = now
            previous.save(update_fields=["status", "replaced_at"])
        fresh.status = VersionStatus.PUBLISHED
        fresh.published_at = now
        fresh.save(update_fields=["status", "published_at"])
        audit.record(
            actor=_user(actor),
            action="procedures.version_publish",
            obj=fresh,
            changes={
                "status": [VersionStatus.DRAFT.value, VersionStatus.PUBLISHED.value],
                "replaces": [None, previous.number if previous else None],
            },
        )
    return fresh


def new_version_from(actor: Actor, version: ProcedureVersion) -> ProcedureVersion:
    """A new draft copying the content, agencies and papers of ``version`` (usually
    the published one), to be edited and published in its place."""
    _require_operator(actor)
    with transaction.atomic():
        procedure = _lock_procedure(version.procedure)
        source = ProcedureVersion.objects.get(pk=version.pk)
        if source.status == VersionStatus.DRAFT:
            raise ValidationError(
                _("Version %(number)s is itself a draft: edit it instead.")
                % {"number": source.number},
                code="draft_exists",
            )
        _refuse_second_draft(procedure)
        draft = ProcedureVersion(
            procedure=procedure,
            number=_next_number(procedure),
            status=VersionStatus.DRAFT,
            created_by=_user(actor),
            # A new version is made public by a decision of its own.
            **{key: getattr(source, key) for key in CONTENT_FIELDS if key != "publication"},
        )
        draft.save()
        draft.agencies.set(source.agencies.all())
        _set_papers(draft, [paper_dict(p) for p in source.papers.order_by("position")])
        audit.record(
            actor=_user(actor),
            action="procedures.draft_create",
            obj=draft,
            changes={"copied_from": [None, source.number]},
        )
    return draft
