"""State changes of self-assessments. Each runs in one transaction with the rows it checks locked,
and leaves an AssessmentEvent (who, when, what changed)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import access
from assessments.models import (
    Assessment,
    AssessmentEvent,
    ContextNote,
    FactorAssessment,
    FactorComment,
    PartnerRating,
    QuestionAnswer,
    answer_field,
    comment_field,
    context_fields,
    factor_fields,
)
from benchmarks.models import BenchmarkVersion, GuideQuestion, KeyFactor
from cities.models import Membership, Role, Workspace
from editing.actions import PageSave, is_new_save
from lib.actions import Conflict, Refused
from lib.merge import fingerprints, merge, merged
from lib.models import merge_autosave
from outbox.actions import queue_template_mail


class AssessmentError(Refused):
    """A refused change to a self-assessment."""


@dataclass
class ContextConflict(Exception):
    """Someone saved the context notes since the editor loaded them: what is stored now, to show beside
    the typed notes (which the form keeps), and the version a deliberate second save replaces."""

    stored: dict[int, ContextNote]
    stored_version: int


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("benchmark_version").get(pk=assessment.pk)


def do_start_assessment(workspace: Workspace, version: BenchmarkVersion, round: str, *, by: User) -> Assessment:
    """A draft with an empty row for every key and common factor, guide question and context factor."""
    round = round.strip()
    with transaction.atomic():
        locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
        open_ones = Assessment.objects.alive().filter(workspace=locked, benchmark_version=version, round=round)
        if open_ones.exclude(status=Assessment.Status.FINALISED).exists():
            raise AssessmentError(
                _("An assessment of this benchmark for round %(round)s is already open.") % {"round": round}
            )
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    workspace=locked, benchmark_version=version, round=round, created_by=by
                )
        except IntegrityError:
            raise AssessmentError(
                _("An assessment of this benchmark for round %(round)s is already open.") % {"round": round}
            ) from None
        factors = FactorAssessment.objects.bulk_create(
            FactorAssessment(assessment=assessment, key_factor=factor) for factor in version.factors.all()
        )
        by_factor = {fa.key_factor_id: fa for fa in factors}
        questions = GuideQuestion.objects.filter(key_factor__version=version)
        QuestionAnswer.objects.bulk_create(
            QuestionAnswer(factor=by_factor[q.key_factor_id], question=q) for q in questions
        )
        ContextNote.objects.bulk_create(
            ContextNote(assessment=assessment, context_factor=c) for c in version.context_factors.all()
        )
        AssessmentEvent.objects.create(
            assessment=assessment, by=by, action=AssessmentEvent.Action.STARTED, changes={"round": round}
        )
        return assessment


def _factor_state(factor: FactorAssessment, answers: list[QuestionAnswer]) -> dict[str, Any]:
    """A key factor as its history records it (AssessmentEvent changes)."""
    return {
        "rating": factor.rating,
        "justification": factor.justification,
        "answers": {str(a.question_id): a.answer for a in answers},
        "comments": {str(a.question_id): a.comment for a in answers},
    }


def _editable_locked(factor: FactorAssessment) -> tuple[Assessment, FactorAssessment]:
    assessment = _lock(factor.assessment)
    if not assessment.is_editable:
        raise AssessmentError(
            _("This assessment is %(status)s and cannot be changed.")
            % {"status": assessment.get_status_display().lower()}
        )
    locked = FactorAssessment.objects.select_for_update(of=("self",)).select_related("key_factor").get(pk=factor.pk)
    return assessment, locked


def _answer_rows(factor: FactorAssessment) -> list[QuestionAnswer]:
    return list(
        QuestionAnswer.objects.select_for_update(of=("self",))
        .select_related("question")
        .filter(factor=factor)
        .order_by("question_id")
    )


def _write_factor(
    assessment: Assessment,
    locked: FactorAssessment,
    rows: list[QuestionAnswer],
    fields: dict[str, Any],
    *,
    by: User,
    save_id: UUID | None,
) -> None:
    """Stores a key factor's new state (`fields`, by form field name) and records it in the history.

    History is not one event per pause in typing: an autosave (`save_id` given) is merged into the last
    event when that is an autosave of the same factor by the same user, less than AUTOSAVE_MERGE old,
    and nobody else saved the factor since (lib.models.merge_autosave). An explicit save always
    records an event of its own."""
    scale = assessment.benchmark_version.rating_scale
    rating = fields["rating"]
    if rating is not None and not scale.levels.filter(value=rating).exists():
        raise AssessmentError(_("Choose a rating on the benchmark's scale."))
    before = _factor_state(locked, rows)
    for row in rows:
        answer = fields[answer_field(row.question)]
        if answer and answer not in QuestionAnswer.Answer.values:
            raise AssessmentError(_("Choose one of the listed answers."))
        row.answer = answer
        row.comment = fields[comment_field(row.question)]
    QuestionAnswer.objects.bulk_update(rows, ["answer", "comment"])
    previous_editor = locked.updated_by_id
    locked.rating = rating
    locked.justification = fields["justification"]
    locked.lock_version += 1
    locked.updated_by = by
    locked.last_save_id = save_id
    locked.to_review = False  # saved (explicitly or by autosave): a carried-over factor is reviewed
    locked.save(
        update_fields=[
            "rating",
            "justification",
            "lock_version",
            "updated_by",
            "updated_at",
            "last_save_id",
            "to_review",
        ]
    )
    after = _factor_state(locked, rows)
    changes = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    slug = locked.key_factor.slug
    if (
        save_id is not None
        and previous_editor == by.pk
        and merge_autosave(
            AssessmentEvent.objects.filter(assessment=assessment),
            by=by,
            action=AssessmentEvent.Action.FACTOR_SAVED,
            subject={"key_factor": slug},
            changes=changes,
        )
    ):
        return
    marker = {"autosave": True} if save_id is not None else {}
    AssessmentEvent.objects.create(
        assessment=assessment,
        by=by,
        action=AssessmentEvent.Action.FACTOR_SAVED,
        changes={"key_factor": slug, **marker, **changes},
    )


def do_save_factor(
    factor: FactorAssessment,
    *,
    by: User,
    expected_version: int,
    rating: int | None,
    justification: str,
    answers: dict[int, str],
    comments: dict[int, str],
    save_id: UUID | None = None,
) -> FactorAssessment:
    """Saves one whole key factor; answers and comments are keyed by GuideQuestion id.

    The whole-factor check, for a save that cannot say what it was loaded with (a workbook exported
    before saves merged by field; the demo): raises Conflict when the row changed since
    `expected_version` was read. Pages save through do_merge_factor.

    `save_id` marks an autosave: a replay of the last applied save_id changes nothing and returns the
    row as it is, so a retried request whose answer was lost is acknowledged, not applied twice."""
    with transaction.atomic():
        assessment, locked = _editable_locked(factor)
        if save_id is not None and locked.last_save_id == save_id:
            return locked
        rows = _answer_rows(locked)
        submitted = {
            "rating": rating,
            "justification": justification.strip(),
            "answers": {str(k): v for k, v in answers.items()},
            "comments": {str(k): v.strip() for k, v in comments.items()},
        }
        if locked.lock_version != expected_version:
            raise Conflict(stored=_factor_state(locked, rows), submitted=submitted, stored_version=locked.lock_version)
        fields = factor_fields(locked, rows)
        fields |= {"rating": rating, "justification": submitted["justification"]}
        for row in rows:
            fields[answer_field(row.question)] = answers.get(row.question_id, row.answer)
            fields[comment_field(row.question)] = comments.get(row.question_id, row.comment).strip()
        _write_factor(assessment, locked, rows, fields, by=by, save_id=save_id)
        return locked


@dataclass
class FactorSaved:
    factor: FactorAssessment
    # The stored state's fingerprints after the save: what the page is now based on.
    fingerprints: dict[str, str]
    # Fields someone else changed since the page was loaded, which this save left alone: the page takes them in.
    theirs: dict[str, Any]


def factor_subject(factor: FactorAssessment) -> str:
    return f"factor:{factor.pk}"


def do_merge_factor(
    factor: FactorAssessment,
    *,
    by: User,
    values: dict[str, Any],
    loaded: dict[str, str],
    save_id: UUID | None = None,
    page: PageSave | None = None,
) -> FactorSaved:
    """Saves what this person changed on a key factor since their page was loaded, merged by field with
    what others saved meanwhile (lib.merge): `values` by form field name (FactorForm), `loaded` the
    fingerprints of the values the page was loaded with.

    Raises FieldConflict when a field this person changed was also changed by someone else, to another
    value. An autosave (`save_id`, `page`) that is a replay or older than one applied from the same page
    is acknowledged and changes nothing."""
    values = {
        name: value.strip() if isinstance(value, str) and name != "rating" and not name.endswith("-answer") else value
        for name, value in values.items()
    }
    with transaction.atomic():
        assessment, locked = _editable_locked(factor)
        rows = _answer_rows(locked)
        stored = factor_fields(locked, rows)
        values = {name: value for name, value in values.items() if name in stored}
        if not is_new_save(
            save_id=save_id, last_save_id=locked.last_save_id, page=page, subject=factor_subject(locked), user=by
        ):
            return FactorSaved(locked, fingerprints(stored), merge(stored, loaded, values).theirs)
        result = merged(
            stored,
            loaded,
            values,
            version=locked.lock_version,
            saved_by=lambda names: _last_saved_by(assessment, locked, rows, names),
        )
        if result.apply:
            stored |= result.apply
            _write_factor(assessment, locked, rows, stored, by=by, save_id=save_id)
        return FactorSaved(locked, fingerprints(stored), result.theirs)


def _last_saved_by(
    assessment: Assessment, factor: FactorAssessment, rows: list[QuestionAnswer], names: list[str]
) -> dict[str, tuple[User | None, Any]]:
    """Who last changed each of the fields `names` of a key factor, and when, read from its history."""
    where: dict[str, tuple[str, str | None]] = {"rating": ("rating", None), "justification": ("justification", None)}
    for row in rows:
        where[answer_field(row.question)] = ("answers", str(row.question_id))
        where[comment_field(row.question)] = ("comments", str(row.question_id))
    found: dict[str, tuple[User | None, Any]] = {}
    events = (
        AssessmentEvent.objects.filter(
            assessment=assessment,
            action=AssessmentEvent.Action.FACTOR_SAVED,
            changes__key_factor=factor.key_factor.slug,
        )
        .select_related("by")
        .order_by("-at", "-pk")[:200]
    )
    for event in events:
        for name in names:
            if name in found:
                continue
            key, part = where[name]
            change = event.changes.get(key)
            if change is None:
                continue
            if part is None or (change["from"] or {}).get(part) != (change["to"] or {}).get(part):
                found[name] = (event.by, event.at)
        if len(found) == len(names):
            break
    return {name: found.get(name, (factor.updated_by, factor.updated_at)) for name in names}


def do_save_context(
    assessment: Assessment, *, by: User, expected_version: int, notes: dict[int, dict[str, Any]]
) -> Assessment:
    """Saves the context notes (keyed by ContextFactor id); the assessment's lock_version guards them.

    A note's optional "key_factors" (ids of key factors of the assessment's version; others are ignored)
    replaces the key factors it is said to bear on; without that key the links stay as they are."""
    with transaction.atomic():
        locked = _lock(assessment)
        if not locked.is_editable:
            raise AssessmentError(
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": locked.get_status_display().lower()}
            )
        rows = list(ContextNote.objects.filter(assessment=locked).prefetch_related("key_factors"))
        if locked.lock_version != expected_version:
            raise ContextConflict(
                stored={row.context_factor_id: row for row in rows}, stored_version=locked.lock_version
            )
        version_factors = {kf.pk: kf for kf in KeyFactor.objects.filter(version_id=locked.benchmark_version_id)}
        changed = {}
        links: list[Any] = []
        relinked: list[int] = []
        for row in rows:
            new = notes.get(row.context_factor_id)
            if new is None:
                continue
            values = {"effect": new["effect"], "competence": new["competence"], "note": new["note"].strip()}
            if any(getattr(row, k) != v for k, v in values.items()):
                changed[str(row.context_factor_id)] = dict(values)
            for key, value in values.items():
                setattr(row, key, value)
            if "key_factors" in new:
                wanted = sorted({int(pk) for pk in new["key_factors"] if int(pk) in version_factors})
                current = sorted(kf.pk for kf in row.key_factors.all())
                if wanted != current:
                    bears_on = _key_factor_list(version_factors, wanted) or _("no key factor")
                    changed.setdefault(str(row.context_factor_id), dict(values))["bears on"] = bears_on
                    relinked.append(row.pk)
                    links += [ContextNote.key_factors.through(contextnote_id=row.pk, keyfactor_id=pk) for pk in wanted]
        ContextNote.objects.bulk_update(rows, ["effect", "competence", "note"])
        if relinked:
            ContextNote.key_factors.through.objects.filter(contextnote_id__in=relinked).delete()
            ContextNote.key_factors.through.objects.bulk_create(links)
        locked.lock_version += 1
        locked.save(update_fields=["lock_version", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=locked, by=by, action=AssessmentEvent.Action.CONTEXT_SAVED, changes=changed
        )
        return locked


def do_merge_context(assessment: Assessment, *, by: User, values: dict[str, Any], loaded: dict[str, str]) -> Assessment:
    """Saves what this person changed in the context notes since their page was loaded, merged by field
    with what others saved meanwhile (lib.merge): `values` by form field name (ContextForm.fields_sent),
    `loaded` the fingerprints the page was loaded with. Raises FieldConflict for a field both changed."""
    with transaction.atomic():
        locked = _lock(assessment)
        if not locked.is_editable:
            raise AssessmentError(
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": locked.get_status_display().lower()}
            )
        rows = list(
            ContextNote.objects.filter(assessment=locked)
            .select_related("context_factor")
            .prefetch_related("key_factors")
        )
        stored = context_fields(rows)
        values = {
            name: value.strip() if name.endswith("-note") else value for name, value in values.items() if name in stored
        }
        result = merged(
            stored,
            loaded,
            values,
            version=locked.lock_version,
            saved_by=lambda names: _context_saved_by(locked, rows, names),
        )
        if not result.apply:
            return locked
        new = stored | result.apply
        notes = {}
        for row in rows:
            n = row.context_factor.number
            if any(name.startswith(f"c{n}-") for name in result.apply):
                notes[row.context_factor_id] = {
                    "effect": new[f"c{n}-effect"],
                    "competence": new[f"c{n}-competence"],
                    "note": new[f"c{n}-note"],
                    "key_factors": [int(pk) for pk in new[f"c{n}-key_factors"]],
                }
        return do_save_context(locked, by=by, expected_version=locked.lock_version, notes=notes)


def _context_saved_by(
    assessment: Assessment, rows: list[ContextNote], names: list[str]
) -> dict[str, tuple[User | None, Any]]:
    """Who last saved the context factor of each of the fields `names`, and when, from the history."""
    ids = {f"c{row.context_factor.number}-": str(row.context_factor_id) for row in rows}
    found: dict[str, tuple[User | None, Any]] = {}
    events = (
        AssessmentEvent.objects.filter(assessment=assessment, action=AssessmentEvent.Action.CONTEXT_SAVED)
        .select_related("by")
        .order_by("-at", "-pk")[:200]
    )
    for event in events:
        for name in names:
            prefix = name[: name.index("-") + 1]
            if name not in found and ids.get(prefix) in event.changes:
                found[name] = (event.by, event.at)
        if len(found) == len(names):
            break
    return {name: found.get(name, (None, None)) for name in names}


def _key_factor_list(factors: dict[int, KeyFactor], ids: list[int]) -> str:
    return ", ".join(f"{factors[pk].number}. {factors[pk].title}" for pk in ids if pk in factors)


# ---- Partner ratings and comments (docs/roles.md, "Partner ratings and comments") ----

# Comments may be written while the team still works on the assessment or reviews it; a finalised one
# stays as it is, its discussion included.
COMMENTABLE = (Assessment.Status.DRAFT, Assessment.Status.REOPENED, Assessment.Status.SUBMITTED)
COMMENT_EXCERPT_CHARS = 200


@dataclass
class PartnerConflict(Exception):
    """Someone of the same organisation saved its view of the key factor since the form was loaded."""

    stored: dict[str, Any]
    stored_version: int


def _membership(workspace_id: int, user: User) -> Membership | None:
    return Membership.objects.filter(workspace_id=workspace_id, user=user).first()


def do_rate_as_partner(
    factor: FactorAssessment,
    *,
    by: User,
    expected_version: int,
    rating: int | None,
    comment: str,
    loaded: dict[str, str] | None = None,
    keep: Sequence[str] = (),
) -> PartnerRating:
    """Saves the view of the partner organisation `by` speaks for (from the membership, never the request).

    The assessment row is locked, as for the city's own saves, so two people of one organisation saving
    its first rating at once are serialised and the second meets the version check. Raises
    PartnerConflict when the organisation's row changed since `expected_version` (0: no row yet).

    With `loaded` (the fingerprints the page was loaded with), the save merges by field instead: the
    rating and the comment are each applied when only this person changed them, and FieldConflict names
    the one both changed (lib.merge); the fields in `keep` (ticked "keep the saved text") are left as stored."""
    comment = comment.strip()
    with transaction.atomic():
        assessment = _lock(factor.assessment)
        if not assessment.is_editable:
            raise AssessmentError(
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": assessment.get_status_display().lower()}
            )
        member = _membership(assessment.workspace_id, by)
        if member is None or member.role != Role.PARTNER or not member.organisation.strip():
            raise AssessmentError(_("Only partner organisations give a partner rating."))
        organisation = member.organisation.strip()
        row = PartnerRating.objects.select_for_update().filter(factor=factor, organisation=organisation).first()
        stored_version = row.lock_version if row else 0
        if loaded is not None:
            stored = {"rating": row.rating, "comment": row.comment} if row else {"rating": None, "comment": ""}
            sent = {name: value for name, value in {"rating": rating, "comment": comment}.items() if name not in keep}
            result = merged(
                stored,
                loaded,
                sent,
                version=stored_version,
                saved_by=lambda names: dict.fromkeys(names, (row.updated_by, row.updated_at)) if row else {},
            )
            rating, comment = (stored | result.apply)["rating"], (stored | result.apply)["comment"]
        elif stored_version != expected_version:
            stored = {"rating": row.rating, "comment": row.comment} if row else {"rating": None, "comment": ""}
            raise PartnerConflict(stored=stored, stored_version=stored_version)
        if rating is not None and not assessment.benchmark_version.rating_scale.levels.filter(value=rating).exists():
            raise AssessmentError(_("Choose a rating on the benchmark's scale."))
        before = {"rating": row.rating, "comment": row.comment} if row else {"rating": None, "comment": ""}
        if row is None:
            row = PartnerRating(factor=factor, organisation=organisation)
        row.rating = rating
        row.comment = comment
        row.updated_by = by
        row.lock_version = stored_version + 1
        row.save()
        after = {"rating": rating, "comment": comment}
        changes = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        AssessmentEvent.objects.create(
            assessment=assessment,
            by=by,
            action=AssessmentEvent.Action.PARTNER_RATED,
            changes={"key_factor": factor.key_factor.slug, "organisation": organisation, **changes},
        )
        return row


def _notify_addressees(
    comment: FactorComment, assessment: Assessment, addressees: list[User], *, site_url: str
) -> None:
    """One plain-text mail per addressee (no one sees the others' addresses), sent once the comment is stored."""
    factor = comment.factor
    link = site_url.rstrip("/") + reverse("pages:factor", args=[assessment.public_id, factor.key_factor.slug])
    excerpt = comment.body if len(comment.body) <= COMMENT_EXCERPT_CHARS else comment.body[:COMMENT_EXCERPT_CHARS] + "…"
    context = {
        "author": str(comment.author) if comment.author else _("someone no longer registered"),
        "city": assessment.workspace.city.name,
        "round": assessment.round,
        "benchmark": assessment.benchmark_version.title,
        "key_factor": factor.key_factor.title,
        "excerpt": excerpt,
        "link": link,
    }
    for addressee in addressees:
        queue_template_mail("assessments/email/comment_addressed", addressee.email, context)


def do_add_comment(
    factor: FactorAssessment, *, by: User, body: str, addressees: list[User], site_url: str
) -> FactorComment:
    """A comment on a key factor, addressed to members of the same workspace, who are told by e-mail."""
    body = body.strip()
    with transaction.atomic():
        assessment = _lock(factor.assessment)
        if assessment.status not in COMMENTABLE:
            raise AssessmentError(_("A finalised assessment stays as it is: comments are closed."))
        member = _membership(assessment.workspace_id, by)
        if member is None or not access.can_comment(member.role):
            raise AssessmentError(_("Viewers read the discussion; they do not write in it."))
        if not body:
            raise AssessmentError(_("Write your comment."))
        members = set(
            Membership.objects.filter(workspace_id=assessment.workspace_id, user__in=addressees).values_list(
                "user_id", flat=True
            )
        )
        if any(user.pk not in members for user in addressees):
            raise AssessmentError(_("A comment can only be addressed to members of this workspace."))
        comment = FactorComment.objects.create(factor=factor, author=by, body=body)
        comment.addressed_to.set(addressees)
        AssessmentEvent.objects.create(
            assessment=assessment,
            by=by,
            action=AssessmentEvent.Action.COMMENTED,
            changes={
                "key_factor": factor.key_factor.slug,
                "comment": str(comment.public_id),
                "addressed_to": sorted(user.pk for user in addressees),
            },
        )
        if addressees:
            _notify_addressees(comment, assessment, addressees, site_url=site_url)
        return comment


def do_delete_comment(comment: FactorComment, *, by: User) -> FactorComment:
    """Soft delete: the body stays stored (restorable), the discussion shows "Comment deleted" in its place.

    Its author or a coordinator deletes it, not on a finalised assessment; views check the same in access.py.
    """
    with transaction.atomic():
        assessment = _lock(comment.factor.assessment)
        if assessment.status not in COMMENTABLE:
            raise AssessmentError(_("A finalised assessment stays as it is: comments are closed."))
        locked = FactorComment.objects.select_for_update().get(pk=comment.pk)
        if locked.deleted_at is not None:
            return locked
        member = _membership(assessment.workspace_id, by)
        role = member.role if member else None
        if not access.can_delete_comment(by, role, locked):
            raise AssessmentError(_("Only its author or a coordinator can delete a comment."))
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at"])
        AssessmentEvent.objects.create(
            assessment=assessment,
            by=by,
            action=AssessmentEvent.Action.COMMENT_DELETED,
            changes={"key_factor": comment.factor.key_factor.slug, "comment": str(locked.public_id)},
        )
        return locked


# ---- end of partner ratings and comments ----


def _transition(assessment: Assessment, action: AssessmentEvent.Action, *, by: User) -> Assessment:
    _allowed_from, to = Assessment.TRANSITIONS[action]
    with transaction.atomic():
        locked = _lock(assessment)
        member = _membership(locked.workspace_id, by)
        if action not in access.allowed_transitions(locked, member.role if member else None):
            raise AssessmentError(
                _("A %(status)s assessment cannot be %(action)s.")
                % {"status": locked.get_status_display().lower(), "action": action.label.lower()}
            )
        before = locked.status
        locked.status = to
        locked.lock_version += 1
        locked.save(update_fields=["status", "lock_version", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=locked, by=by, action=action, changes={"status": {"from": before, "to": to}}
        )
        return locked


def do_submit(assessment: Assessment, *, by: User) -> Assessment:
    return _transition(assessment, AssessmentEvent.Action.SUBMITTED, by=by)


def do_reopen(assessment: Assessment, *, by: User) -> Assessment:
    return _transition(assessment, AssessmentEvent.Action.REOPENED, by=by)


def do_finalise(assessment: Assessment, *, by: User) -> Assessment:
    return _transition(assessment, AssessmentEvent.Action.FINALISED, by=by)


# Visibility, deletion and restore ----------------------------------------------------------------

# Publishing shows the assessment to everyone, so only an assessment the coordinators have submitted
# or finalised may be published; sharing with mentors and going back to private work at any stage.
PUBLISHABLE = (Assessment.Status.SUBMITTED, Assessment.Status.FINALISED)


def do_set_visibility(assessment: Assessment, visibility: str, *, by: User) -> Assessment:
    if visibility not in Assessment.Visibility.values:
        raise AssessmentError(_("Choose one of the listed visibilities."))
    with transaction.atomic():
        locked = _lock(assessment)
        if visibility == Assessment.Visibility.PUBLISHED and locked.status not in PUBLISHABLE:
            raise AssessmentError(_("Submit the assessment before publishing it."))
        if locked.visibility == visibility:
            return locked
        before = locked.visibility
        locked.visibility = visibility
        locked.lock_version += 1
        locked.save(update_fields=["visibility", "lock_version", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=locked,
            by=by,
            action=AssessmentEvent.Action.VISIBILITY_CHANGED,
            changes={"visibility": {"from": before, "to": visibility}},
        )
        return locked


def do_delete_assessment(assessment: Assessment, *, by: User) -> Assessment:
    """Soft delete: the assessment leaves every list and page, and can be restored for RESTORE_DAYS days.

    A finalised assessment is the city's record of a round and is never deleted; a published one is
    made private first, so deletion never hides something from readers without a trace."""
    with transaction.atomic():
        locked = _lock(assessment)
        if locked.deleted_at is not None:
            raise AssessmentError(_("This assessment is already deleted."))
        if not locked.is_deletable:
            raise AssessmentError(_("A finalised assessment is the record of its round and cannot be deleted."))
        if locked.visibility == Assessment.Visibility.PUBLISHED:
            raise AssessmentError(_("Make the assessment private before deleting it."))
        locked.deleted_at = timezone.now()
        locked.deleted_by = by
        locked.lock_version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "lock_version", "updated_at"])
        AssessmentEvent.objects.create(assessment=locked, by=by, action=AssessmentEvent.Action.DELETED)
        return locked


def do_restore_assessment(assessment: Assessment, *, by: User) -> Assessment:
    with transaction.atomic():
        locked = _lock(assessment)
        if locked.deleted_at is None:
            raise AssessmentError(_("This assessment is not deleted."))
        if timezone.now() - locked.deleted_at > timedelta(days=Assessment.RESTORE_DAYS):
            raise AssessmentError(
                _("Deleted assessments can be restored for %(days)s days only.") % {"days": Assessment.RESTORE_DAYS}
            )
        rivals = Assessment.objects.alive().filter(
            workspace_id=locked.workspace_id, benchmark_version_id=locked.benchmark_version_id, round=locked.round
        )
        if rivals.exclude(status=Assessment.Status.FINALISED).exists():
            raise AssessmentError(
                _("Another assessment of this benchmark for round %(round)s is open; finalise or delete it first.")
                % {"round": locked.round}
            )
        locked.deleted_at = None
        locked.deleted_by = None
        locked.lock_version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "lock_version", "updated_at"])
        AssessmentEvent.objects.create(assessment=locked, by=by, action=AssessmentEvent.Action.RESTORED)
        return locked


# ---- Workbook import (assessments/workbook.py; docs/roles.md, "Reports and workbooks") ----

if TYPE_CHECKING:  # the workbook module loads openpyxl: imported where an import runs
    from assessments.workbook import FactorChange, WorkbookChanges


@dataclass
class WorkbookConflict(Exception):
    """Key factors (or the context notes) the workbook changes that someone saved after it was exported.

    Nothing is applied. `confirm` names the stored versions the user was shown: an import given it back
    replaces exactly those versions, and meets a new conflict if anyone saved again meanwhile."""

    factors: list[FactorAssessment]  # with key_factor and updated_by
    context: bool
    confirm: str


@dataclass
class WorkbookImported:
    factors: list[FactorAssessment]  # the key factors changed, as saved
    context: bool  # whether the context notes changed
    replaced: list[str]  # key factor slugs (and "context") saved by others since export, replaced as confirmed


def _parse_confirm(confirm: str) -> dict[str, str]:
    pairs = (item.partition(":") for item in confirm.split(",") if ":" in item)
    return {key: value for key, _colon, value in pairs}


def _workbook_fields(change: "FactorChange", stored: list[QuestionAnswer]) -> dict[str, Any]:
    """A workbook's key factor by form field name (what it leaves out, it leaves as stored)."""
    fields: dict[str, Any] = {"rating": change.rating, "justification": change.justification.strip()}
    for a in stored:
        fields[answer_field(a.question)] = change.answers.get(a.question_id, a.answer)
        fields[comment_field(a.question)] = change.comments.get(a.question_id, a.comment).strip()
    return fields


def _factor_change(factor: FactorAssessment, fields: dict[str, Any], stored: list[QuestionAnswer]) -> "FactorChange":
    from assessments.workbook import FactorChange

    return FactorChange(
        factor=factor,
        rating=fields["rating"],
        justification=fields["justification"],
        answers={a.question_id: fields[answer_field(a.question)] for a in stored},
        comments={a.question_id: fields[comment_field(a.question)] for a in stored},
    )


def _lock_for_import(assessment: Assessment, changes: "WorkbookChanges") -> Assessment:
    """The assessment, locked, once it is the workbook's own and open to edits."""
    locked = _lock(assessment)
    if locked.pk != changes.assessment_id:
        raise AssessmentError(_("This workbook does not belong to this assessment."))
    if not locked.is_editable:
        raise AssessmentError(
            _("This assessment is %(status)s: a workbook can be imported into a draft or reopened one only.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@dataclass(frozen=True)
class _PlannedChange:
    """What a workbook's row of a key factor will save; `stale` when it was saved online since the export
    and not confirmed; `conflicts` when a field was changed in both, to different values."""

    change: "FactorChange"
    stale: bool
    conflicts: bool = False


def _merged_factor_change(
    change: "FactorChange",
    current: FactorAssessment,
    stored: list[QuestionAnswer],
    changes: "WorkbookChanges",
    confirmed: dict[str, str],
) -> _PlannedChange | None:
    """Merged by field: only what the workbook changed since its export, beside what was saved online
    meanwhile; a field changed in both, to different values, is a named conflict. None: nothing to save."""
    slug = current.key_factor.slug
    fields = factor_fields(current, stored)
    typed = _workbook_fields(change, stored)
    result = merge(fields, changes.factor_loaded[slug], typed)
    if not result.apply and not result.conflicts:
        return None
    fields |= result.apply | {name: typed[name] for name in result.conflicts}
    return _PlannedChange(
        change=_factor_change(change.factor, fields, stored),
        stale=bool(result.conflicts) and confirmed.get(slug) != str(current.lock_version),
        conflicts=bool(result.conflicts),
    )


def _whole_factor_change(
    change: "FactorChange",
    current: FactorAssessment,
    stored: list[QuestionAnswer],
    changes: "WorkbookChanges",
    confirmed: dict[str, str],
) -> _PlannedChange | None:
    """A workbook without fingerprints (exported before they were kept): the key factor as a whole, saved when
    the workbook changed it and it differs from what is stored; stale when saved online since the export.
    None: untouched in the workbook, so whatever was saved since stays (nothing to apply, no conflict)."""
    from assessments.workbook import factor_digest

    slug = current.key_factor.slug
    differs = (
        change.rating != current.rating
        or change.justification.strip() != current.justification
        or any(change.answers.get(a.question_id, a.answer) != a.answer for a in stored)
        or any(change.comments.get(a.question_id, a.comment).strip() != a.comment for a in stored)
    )
    new_state = [
        (a.question_id, change.answers.get(a.question_id, a.answer), change.comments.get(a.question_id, a.comment))
        for a in stored
    ]
    untouched = factor_digest(change.rating, change.justification, new_state) == changes.factor_digests.get(slug)
    if not differs or untouched:
        return None
    moved = current.lock_version != changes.factor_versions.get(slug)
    return _PlannedChange(change=change, stale=moved and confirmed.get(slug) != str(current.lock_version))


def do_import_workbook(
    assessment: Assessment, changes: "WorkbookChanges", *, by: User, file_name: str, confirm: str = ""
) -> WorkbookImported:
    """Applies a validated workbook (assessments.workbook.read_workbook) in one transaction, through
    do_save_factor and do_save_context so each change is in the history, plus one IMPORTED event.

    A key factor is saved only when the workbook changed it (its content differs from the digest taken
    at export) and it differs from what is stored: importing the same workbook twice changes nothing the
    second time, and a key factor saved on the platform since the export but untouched in the workbook
    keeps what was saved. One the workbook changed that someone also saved after the export (its
    lock_version moved) is a conflict, unless `confirm` (from WorkbookConflict) names its current version.
    The same for the context notes as a whole, through digests of their state."""
    from assessments.workbook import context_digest

    with transaction.atomic():
        locked = _lock_for_import(assessment, changes)
        rows = {
            f.pk: f
            for f in FactorAssessment.objects.select_for_update(of=("self",))
            .select_related("key_factor", "updated_by")
            .filter(assessment=locked)
        }
        answers: dict[int, list[QuestionAnswer]] = {}
        for answer in QuestionAnswer.objects.filter(factor__assessment=locked).select_related("question"):
            answers.setdefault(answer.factor_id, []).append(answer)
        confirmed = _parse_confirm(confirm)
        to_apply = []
        stale = []
        merged_replaced = []
        for change in changes.factors:
            current = rows[change.factor.pk]
            stored = answers.get(current.pk, [])
            if current.key_factor.slug in changes.factor_loaded:
                planned = _merged_factor_change(change, current, stored, changes, confirmed)
                if planned is not None and planned.conflicts:
                    merged_replaced.append(current.key_factor.slug)
            else:
                planned = _whole_factor_change(change, current, stored, changes, confirmed)
            if planned is None:
                continue
            if planned.stale:
                stale.append(current)
            to_apply.append((planned.change, current))
        notes = list(ContextNote.objects.filter(assessment=locked))
        digest = context_digest(notes)
        context_changed = (
            changes.notes is not None
            and context_digest(notes, changes.notes) != digest
            and context_digest(notes, changes.notes) != changes.context_digest
        )
        context_stale = context_changed and digest != changes.context_digest and confirmed.get("context") != digest
        if stale or context_stale:
            items = [f"{f.key_factor.slug}:{f.lock_version}" for f in stale]
            items += [f"context:{digest}"] if context_stale else []
            raise WorkbookConflict(factors=stale, context=context_stale, confirm=",".join(items))
        replaced = merged_replaced + [
            current.key_factor.slug
            for _change, current in to_apply
            if current.key_factor.slug not in changes.factor_loaded
            and current.lock_version != changes.factor_versions.get(current.key_factor.slug)
        ]
        saved = []
        for change, current in to_apply:
            current.assessment = locked
            saved.append(
                do_save_factor(
                    current,
                    by=by,
                    expected_version=current.lock_version,
                    rating=change.rating,
                    justification=change.justification,
                    answers=change.answers,
                    comments=change.comments,
                )
            )
        if context_changed and changes.notes is not None:
            if digest != changes.context_digest:
                replaced.append("context")
            current_version = Assessment.objects.values_list("lock_version", flat=True).get(pk=locked.pk)
            do_save_context(locked, by=by, expected_version=current_version, notes=changes.notes)
        if saved or context_changed:
            AssessmentEvent.objects.create(
                assessment=locked,
                by=by,
                action=AssessmentEvent.Action.IMPORTED,
                changes={
                    "file": file_name,
                    "exported_at": changes.exported_at,
                    "key_factors": [f.key_factor.slug for f in saved],
                    "context_factors": context_changed,
                    **({"replaced": replaced} if replaced else {}),
                },
            )
        return WorkbookImported(factors=saved, context=context_changed, replaced=replaced)
