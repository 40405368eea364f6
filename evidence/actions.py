"""State changes of the evidence library. Each runs in one transaction with the rows it checks locked and
leaves an EvidenceEvent (who, when, what); attaching and detaching also leave an AssessmentEvent.

Files (R2): an upload is written to storage inside the transaction that creates its row, and deleted again
when that transaction fails, so a refused or failed save leaves no file behind; a write that fails half way
(disk full) leaves none either (lib.uploads.store_upload). A process killed between
the two leaves a file no row names; `purge_deleted_evidence` sweeps those (and purged items' files).
"""

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Assessment, AssessmentEvent, FactorAssessment, QuestionAnswer
from cities.models import Workspace
from evidence.models import Evidence, EvidenceEvent, EvidenceLink
from lib.actions import Refused
from lib.merge import merged
from lib.uploads import CheckedUpload, UploadNotStored, store_upload, stored_name

log = logging.getLogger(__name__)
STATISTIC_FIELDS = ("value", "unit", "reference_year", "source")


class EvidenceError(Refused):
    """A refused change to the evidence library."""


@dataclass
class EvidenceConflict(Exception):
    """Someone saved the item since the editor loaded it: what is stored now, to show beside the typed text."""

    stored: dict[str, Any]
    stored_version: int


@dataclass
class Fields:
    """What a person types about an item (everything but the file)."""

    kind: str
    title: str
    description: str = ""
    url: str = ""
    value: Decimal | None = None
    unit: str = ""
    reference_year: int | None = None
    source: str = ""
    dated: date | None = None

    def cleaned(self) -> "Fields":
        text = {k: v.strip() for k, v in asdict(self).items() if isinstance(v, str)}
        fields = Fields(**(asdict(self) | text))
        if fields.kind != Evidence.Kind.STATISTIC:
            # Only statistics carry a value; other kinds never keep half-typed statistic fields.
            fields.value, fields.unit, fields.reference_year, fields.source = None, "", None, ""
        return fields


def state(item: Evidence | Fields) -> dict[str, Any]:
    """The typed fields as JSON-friendly values, for history and conflict screens."""
    out: dict[str, Any] = {}
    for name in Fields.__dataclass_fields__:
        value = getattr(item, name)
        out[name] = str(value) if isinstance(value, Decimal | date) else value
    return out


def _validate(fields: Fields, *, has_file: bool) -> None:
    if fields.kind not in Evidence.Kind.values:
        raise EvidenceError(_("Choose one of the listed kinds."))
    if not fields.title:
        raise EvidenceError(_("Give the evidence a title."))
    if fields.kind == Evidence.Kind.STATISTIC and (
        fields.value is None or fields.reference_year is None or not fields.unit or not fields.source
    ):
        raise EvidenceError(_("A statistic needs its value, unit, reference year and source."))
    if fields.url and has_file:
        raise EvidenceError(_("Give a link or a file, not both."))
    if fields.kind != Evidence.Kind.STATISTIC and not (fields.url or has_file):
        raise EvidenceError(_("Give a link or choose a file."))


def _event(evidence: Evidence, action: str, by: User | None, changes: dict[str, Any] | None = None) -> None:
    EvidenceEvent.objects.create(evidence=evidence, by=by, action=action, changes=changes or {})


def _lock_assessment(factor: FactorAssessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=factor.assessment_id)
    if not assessment.is_editable:
        raise EvidenceError(
            _("This assessment is %(status)s and cannot be changed.")
            % {"status": assessment.get_status_display().lower()}
        )
    return assessment


def _attach(evidence: Evidence, factor: FactorAssessment, question: QuestionAnswer | None, *, by: User) -> EvidenceLink:
    """Inside a transaction: attaches with the assessment locked and editable."""
    assessment = _lock_assessment(factor)
    if assessment.workspace_id != evidence.workspace_id:
        raise EvidenceError(_("Only the city's own evidence can be attached."))
    if question is not None and question.factor_id != factor.pk:
        raise EvidenceError(_("Choose one of this key factor's questions."))
    already = EvidenceLink.objects.filter(evidence=evidence, factor=factor, question=question)
    if already.exists():
        raise EvidenceError(_("“%(title)s” is already attached there.") % {"title": evidence.title})
    try:
        with transaction.atomic():
            link = EvidenceLink.objects.create(evidence=evidence, factor=factor, question=question, added_by=by)
    except IntegrityError:
        raise EvidenceError(_("“%(title)s” is already attached there.") % {"title": evidence.title}) from None
    number = question.question.number if question is not None else None
    AssessmentEvent.objects.create(
        assessment=assessment,
        by=by,
        action=AssessmentEvent.Action.EVIDENCE_ATTACHED,
        changes={"key_factor": factor.key_factor.slug, "evidence": evidence.title, "question": number},
    )
    _event(
        evidence,
        EvidenceEvent.Action.ATTACHED,
        by,
        {"assessment": str(assessment.public_id), "key_factor": factor.key_factor.slug, "question": number},
    )
    return link


def do_add_evidence(
    workspace: Workspace,
    fields: Fields,
    *,
    by: User,
    file: "File[Any] | None" = None,
    checked: CheckedUpload | None = None,
    attach_to: FactorAssessment | None = None,
    question: QuestionAnswer | None = None,
) -> Evidence:
    """A new item of the workspace's library, with the file `checked` by lib.uploads; optionally attached
    at once to a key factor (or one of its questions), all in one transaction."""
    fields = fields.cleaned()
    if (file is None) != (checked is None):
        raise ValueError("a file needs its check result")
    _validate(fields, has_file=file is not None)
    stored = ""
    try:
        with transaction.atomic():
            if file is not None and checked is not None:
                try:
                    stored = store_upload(default_storage, stored_name(checked.extension), file)
                except UploadNotStored as failed:
                    # store_upload deleted what was written and logged why; raising rolls the row back.
                    raise EvidenceError(failed.message) from None
            evidence = Evidence.objects.create(
                workspace=workspace,
                created_by=by,
                file=stored,
                file_name=checked.display_name if checked else "",
                file_size=checked.size if checked else None,
                file_type=checked.content_type if checked else "",
                **asdict(fields),
            )
            _event(evidence, EvidenceEvent.Action.CREATED, by, state(evidence) | {"file": evidence.file_name})
            if attach_to is not None:
                _attach(evidence, attach_to, question, by=by)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return evidence


def do_edit_evidence(
    evidence: Evidence,
    fields: Fields,
    *,
    by: User,
    expected_version: int,
    loaded: dict[str, str] | None = None,
    keep: Sequence[str] = (),
) -> Evidence:
    """Saves the typed fields; raises EvidenceConflict when the item changed since `expected_version` was read.

    With `loaded` (the fingerprints of what the page was loaded with), the save merges by field instead
    (lib.merge): each field this person changed is applied unless someone else changed it too, which
    raises FieldConflict naming it; the fields in `keep` (ticked "keep the saved text") stay as stored."""
    fields = fields.cleaned()
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.is_deleted:
            raise EvidenceError(_("This evidence was deleted meanwhile; restore it first."))
        before = state(locked)
        if loaded is not None:
            typed = {name: value for name, value in state(fields).items() if name not in keep}
            result = merged(
                before, loaded, typed, version=locked.lock_version, saved_by=lambda names: _saved_by(locked, names)
            )
            mine = {name: getattr(fields, name) for name in result.apply}
            fields = Fields(**{name: mine.get(name, getattr(locked, name)) for name in Fields.__dataclass_fields__})
            fields = fields.cleaned()
        elif locked.lock_version != expected_version:
            raise EvidenceConflict(stored=before, stored_version=locked.lock_version)
        _validate(fields, has_file=bool(locked.file))
        for name, value in asdict(fields).items():
            setattr(locked, name, value)
        locked.lock_version += 1
        locked.save()
        after = state(locked)
        changes = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        _event(locked, EvidenceEvent.Action.EDITED, by, changes)
        return locked


def _saved_by(evidence: Evidence, names: list[str]) -> dict[str, tuple[Any, Any]]:
    """Who last changed each of the fields `names` of an item, and when, from its history."""
    found: dict[str, tuple[Any, Any]] = {}
    events = evidence.events.filter(action__in=[EvidenceEvent.Action.EDITED, EvidenceEvent.Action.CREATED])
    for event in events.select_related("by").order_by("-at", "-pk")[:200]:
        for name in names:
            if name not in found and (name in event.changes or event.action == EvidenceEvent.Action.CREATED):
                found[name] = (event.by, event.at)
        if len(found) == len(names):
            break
    return found


def do_delete_evidence(evidence: Evidence, *, by: User) -> Evidence:
    """Soft delete: the item and its file stay restorable for RESTORE_DAYS. Evidence of a submitted or
    finalised assessment is part of its record and cannot be deleted."""
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.is_deleted:
            raise EvidenceError(_("This evidence is already deleted."))
        frozen = (
            EvidenceLink.objects.filter(evidence=locked)
            .exclude(factor__assessment__status__in=Assessment.EDITABLE)
            .select_related("factor__assessment__benchmark_version")
            .first()
        )
        if frozen is not None:
            assessment = frozen.factor.assessment
            raise EvidenceError(
                _("It is evidence of the %(status)s assessment %(title)s, round %(round)s, and stays with it.")
                % {
                    "status": assessment.get_status_display().lower(),
                    "title": assessment.benchmark_version.title,
                    "round": assessment.round,
                }
            )
        locked.deleted_at = timezone.now()
        locked.deleted_by = by
        locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        _event(locked, EvidenceEvent.Action.DELETED, by)
        return locked


def do_restore_evidence(evidence: Evidence, *, by: User) -> Evidence:
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.deleted_at is None:
            raise EvidenceError(_("This evidence is not deleted."))
        if locked.deleted_at < timezone.now() - timedelta(days=Evidence.RESTORE_DAYS):
            raise EvidenceError(_("Deleted evidence can be restored for %(days)d days only.") % {"days": 30})
        locked.deleted_at = None
        locked.deleted_by = None
        locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        _event(locked, EvidenceEvent.Action.RESTORED, by)
        return locked


def do_attach_evidence(
    evidence: Evidence, factor: FactorAssessment, question: QuestionAnswer | None, *, by: User
) -> EvidenceLink:
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.is_deleted:
            raise EvidenceError(_("This evidence was deleted."))
        return _attach(locked, factor, question, by=by)


def do_detach_evidence(link: EvidenceLink, *, by: User) -> None:
    with transaction.atomic():
        factor = link.factor
        assessment = _lock_assessment(factor)
        locked = EvidenceLink.objects.select_related("evidence", "question__question").filter(pk=link.pk).first()
        if locked is None:
            return  # detached meanwhile: the outcome the person asked for
        number = locked.question.question.number if locked.question else None
        locked.delete()
        AssessmentEvent.objects.create(
            assessment=assessment,
            by=by,
            action=AssessmentEvent.Action.EVIDENCE_DETACHED,
            changes={"key_factor": factor.key_factor.slug, "evidence": locked.evidence.title, "question": number},
        )
        _event(
            locked.evidence,
            EvidenceEvent.Action.DETACHED,
            by,
            {"assessment": str(assessment.public_id), "key_factor": factor.key_factor.slug, "question": number},
        )


def do_purge_deleted_evidence(now: datetime | None = None) -> int:
    """Removes items deleted more than RESTORE_DAYS ago, with their attachments; their files go once the
    transaction commits. Returns the number of items removed."""
    now = now or timezone.now()
    purged = 0
    for item in Evidence.objects.purgeable(now).only("pk"):
        with transaction.atomic():
            locked = Evidence.objects.select_for_update().filter(pk=item.pk).purgeable(now).first()
            if locked is None:
                continue
            for link in EvidenceLink.objects.filter(evidence=locked).select_related(
                "factor__key_factor", "question__question"
            ):
                AssessmentEvent.objects.create(
                    assessment_id=link.factor.assessment_id,
                    by=None,
                    action=AssessmentEvent.Action.EVIDENCE_DETACHED,
                    changes={
                        "key_factor": link.factor.key_factor.slug,
                        "evidence": locked.title,
                        "question": link.question.question.number if link.question else None,
                        "purged": True,
                    },
                )
            EvidenceLink.objects.filter(evidence=locked).delete()
            name = locked.file.name
            locked.delete()
            if name:
                transaction.on_commit(lambda name=name: default_storage.delete(name))  # type: ignore[misc]
            purged += 1
    return purged


def sweep_orphan_files(*, older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> list[str]:
    """Deletes stored evidence files that no row names (left by a process killed mid-save), once they are
    older than any transaction could be. Returns their names."""
    now = now or timezone.now()
    try:
        _dirs, names = default_storage.listdir("evidence")
    except FileNotFoundError:
        return []
    known = set(Evidence.objects.exclude(file="").values_list("file", flat=True))
    removed = []
    for name in names:
        path = f"evidence/{name}"
        if path in known:
            continue
        if default_storage.get_modified_time(path) > now - older_than:
            continue
        default_storage.delete(path)
        removed.append(path)
    return removed
